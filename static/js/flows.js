/* Flow pages: "Copy" buttons for the webhook address (with a fallback where the clipboard API is missing). */
(function () {
  "use strict";
  function copy(input) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value);
    }
    input.focus();
    input.select();
    return document.execCommand("copy") ? Promise.resolve() : Promise.reject(new Error("copy refused"));
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var input = document.getElementById(button.dataset.copy);
    var status = document.querySelector('[data-copy-status="' + button.dataset.copy + '"]');
    copy(input).then(
      function () { if (status) status.textContent = button.dataset.copied; },
      function () { input.select(); if (status) status.textContent = button.dataset.copyFailed; }
    );
  });
})();
