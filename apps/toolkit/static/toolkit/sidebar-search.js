/* unfold 0.91's sidebar search: Enter calls selectItem(), which reads `this.items`, a list
 * the component never fills, so Enter threw "Cannot read properties of undefined" and went
 * nowhere. This gives selectItem the results it meant (the links unfold's search returns,
 * numbered as its `currentIndex` counts them): Enter opens the highlighted result, or the
 * first. Loaded through UNFOLD["SCRIPTS"]; swapped in when Alpine starts
 * (after unfold's app.js has defined the component). tests/browser/test_admin_login.py
 * presses Enter; tests/toolkit/test_unfold_patches.py fails when unfold changes the code. */
document.addEventListener("alpine:init", function () {
  var original = window.searchDropdown;
  if (typeof original !== "function") {
    return;
  }
  window.searchDropdown = function () {
    var dropdown = original();
    dropdown.selectItem = function () {
      var links = document.querySelectorAll("#search-results a");
      var link = links[Math.max(this.currentIndex, 1) - 1];
      if (link) {
        window.location = link.href;
      }
    };
    return dropdown;
  };
});
