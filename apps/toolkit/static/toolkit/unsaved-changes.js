/* Lists with editable cells (stock, active, featured) save with the button under the list.
 * Leaving the page with edits not saved asks first, as the browser does for any form. Only
 * the list's own fields count (named form-N-…), not the boxes that select rows for actions. */
(function () {
  var dirty = false;
  function edited(event) {
    var field = event.target;
    if (field.form && field.form.id === "changelist-form" && /^form-\d+-/.test(field.name || "")) {
      dirty = true;
    }
  }
  document.addEventListener("input", edited);
  document.addEventListener("change", edited);
  document.addEventListener("submit", function (event) {
    if (event.target.id === "changelist-form") {
      dirty = false; // saving, or running an action, leaves on purpose
    }
  });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
