/* Sign-up: suggests the address (slug) from the organization's name until the person edits it, and shows it. */
(function () {
  "use strict";
  var org = document.getElementById("id_organization"), slug = document.getElementById("id_slug"), preview = document.getElementById("slug-preview");
  if (!org || !slug || !preview) return;
  var touched = slug.value !== "";
  function suggest(text) { return text.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 30); }
  function show() { preview.textContent = (slug.value || "…") + "." + location.hostname + (location.port ? ":" + location.port : ""); }
  org.addEventListener("input", function () { if (!touched) { slug.value = suggest(org.value); } show(); });
  slug.addEventListener("input", function () { touched = true; show(); });
  show();
})();
