// The admin's autocomplete boxes (select2) add a search field with no name; give each the
// label of the list it searches, so screen readers say what it is for.
(function () {
  "use strict";

  function labelOf(select) {
    const label = document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : select.name;
  }

  function nameSearchFields() {
    document.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      const container = select.nextElementSibling;
      if (!container) {
        return;
      }
      container.querySelectorAll(".select2-search__field").forEach(function (field) {
        if (!field.getAttribute("aria-label")) {
          field.setAttribute("aria-label", "Search " + labelOf(select));
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameSearchFields();
    new MutationObserver(nameSearchFields).observe(document.body, {
      childList: true,
      subtree: true,
    });
  });
})();
