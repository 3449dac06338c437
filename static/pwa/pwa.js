/* Registers the service worker and tells the person when they are offline or reading a saved copy. */
(function () {
  "use strict";
  var banner = document.getElementById("offline-banner");
  var savedCopy = document.documentElement.hasAttribute("data-offline-copy");

  var backOnline = false;

  function update(event) {
    if (event && event.type === "online") backOnline = true;
    if (event && event.type === "offline") backOnline = false;
    var offline = !navigator.onLine;
    if (!offline && !savedCopy) {
      banner.hidden = true;
      return;
    }
    // A saved copy means the network failed even if the browser believes it is online.
    banner.querySelector("[data-banner-text]").textContent = !offline && backOnline ? banner.dataset.onlineText : banner.dataset.offlineText;
    banner.querySelector("[data-banner-reload]").hidden = offline;
    banner.classList.toggle("is-online", !offline && backOnline);
    banner.hidden = false;
  }

  if (banner) {
    banner.querySelector("[data-banner-reload]").addEventListener("click", function () { window.location.reload(); });
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    update();
  }

  if (!("serviceWorker" in navigator)) return;
  // Saved pages belong to the person who saw them: forget them when nobody is signed in on this device.
  if (banner && banner.dataset.signedIn === "0" && window.caches && !savedCopy) {
    window.caches.delete("ezflow-pages");
  }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* the site works without it */ });
  });
})();
