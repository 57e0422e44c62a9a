/* A change list's cells carry short class tokens (apps/toolkit/compact_list.py); this gives
 * each element back the classes a token stands for. Loaded right after the table, so it runs
 * before the page is first painted. */
(function () {
  "use strict";
  var data = document.getElementById("mw-list-classes");
  if (!data) return;
  var classes = JSON.parse(data.textContent);
  Object.keys(classes).forEach(function (token) {
    var names = classes[token].split(" ");
    var elements = document.getElementsByClassName(token);
    for (var i = 0; i < elements.length; i++) {
      elements[i].classList.add.apply(elements[i].classList, names);
    }
  });
})();
