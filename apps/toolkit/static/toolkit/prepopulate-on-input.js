/* Django fills a slug from the name on keyup, change and focus: text pasted with the mouse
 * (or dropped, or autocompleted) fires none of them until the field loses focus, so the slug
 * stayed empty. Every edit fires "input": pass it on as the "keyup" Django listens for. */
document.addEventListener("input", function (event) {
  var field = event.target;
  var prepopulating = document.getElementById("django-admin-prepopulated-fields-constants");
  if (field.tagName === "INPUT" && prepopulating) {
    field.dispatchEvent(new KeyboardEvent("keyup", { bubbles: true }));
  }
});
