/* Behaviour every page shares, without inline handlers (the Content-Security-Policy allows no inline script):
   <select data-autosubmit> sends its form when changed; <input data-select-on-click> selects its text on click. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target.closest("[data-autosubmit]");
    if (field && field.form) field.form.submit();
  });
  document.addEventListener("click", function (event) {
    var field = event.target.closest("[data-select-on-click]");
    if (field) field.select();
  });
})();
