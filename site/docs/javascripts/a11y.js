// Accessibility fixes to the theme's markup (issue #12), applied on every page.
// Material's search dialog has no accessible name, and its table scroll boxes
// cannot be reached by keyboard: a reader who cannot use a mouse could not
// scroll a wide table. Cosmetic only: no data, no requests.
(function () {
  function fix() {
    document.querySelectorAll('.md-search[role="dialog"]').forEach(function (dialog) {
      dialog.setAttribute("aria-label", "Search");
    });
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box, index) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      var table = box.querySelector("table");
      var heading = table && table.querySelector("th");
      box.setAttribute("aria-label", "Table " + (index + 1)
        + (heading ? " (" + heading.textContent.trim() + ", …)" : "") + ", scrolls sideways");
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fix);
  } else {
    fix();
  }
})();
