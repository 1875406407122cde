// Accessibility fixes to the theme's markup (issue #12), applied on every page.
// Material's search dialog has no accessible name, and its table scroll boxes
// cannot be reached by keyboard: a reader who cannot use a mouse could not
// scroll a wide table. Cosmetic only: no data, no requests.
(function () {
  // The title of the section a table sits in, for its region's name.
  function heading(element) {
    for (var node = element.previousElementSibling; node; node = node.previousElementSibling) {
      if (/^H[1-4]$/.test(node.tagName)) return node.textContent.replace("¶", "").trim();
    }
    return document.title;
  }
  function fix() {
    document.querySelectorAll('.md-search[role="dialog"]').forEach(function (dialog) {
      dialog.setAttribute("aria-label", "Search");
    });
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (box, index) {
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", "Table " + (index + 1) + ": " + heading(box));
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fix);
  } else {
    fix();
  }
})();
