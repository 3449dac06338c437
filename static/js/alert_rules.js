/* A flow's alert form: shows the fields of the chosen kind of alert only. */
(function () {
  "use strict";
  var kind = document.getElementById("id_kind");
  if (!kind) return;
  function show() {
    document.querySelectorAll("[data-for-kind]").forEach(function (el) { el.hidden = el.dataset.forKind !== kind.value; });
  }
  kind.addEventListener("change", show);
  show();
})();
