/* Registers the service worker and tells the person when they are offline or reading a saved copy. */
(function () {
  "use strict";
  var banner = document.getElementById("offline-banner");
  var savedCopy = document.documentElement.hasAttribute("data-offline-copy");

  var cameBackOnline = false;

  function update(event) {
    if (event) cameBackOnline = event.type === "online";
    var offline = !navigator.onLine;
    if (!offline && !savedCopy && !cameBackOnline) {
      banner.hidden = true;
      return;
    }
    // A saved copy means the server could not be reached, even when the browser believes it is online.
    var text = !offline && cameBackOnline ? banner.dataset.onlineText : banner.dataset.offlineText;
    banner.querySelector("[data-banner-text]").textContent = text;
    banner.querySelector("[data-banner-reload]").hidden = offline;
    banner.classList.toggle("is-online", !offline && cameBackOnline);
    banner.hidden = false;
  }

  if (banner) {
    banner.querySelector("[data-banner-reload]").addEventListener("click", function () { window.location.reload(); });
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    window.addEventListener("pageshow", function () { update(); });
    update();
  }

  if (!("serviceWorker" in navigator)) return;
  // Saved pages belong to the person who saw them: forget them when nobody is signed in on this device. The offline
  // page is exempt: it was saved when the worker was installed, perhaps before the person signed in.
  var keep = savedCopy || document.querySelector("[data-keep-saved-pages]");
  if (banner && banner.dataset.signedIn === "0" && window.caches && !keep) {
    window.caches.delete("ezflow-pages");
  }
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* the site works without it */ });
  });
})();
