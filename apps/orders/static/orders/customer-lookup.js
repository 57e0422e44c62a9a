/* The phone order's customer box offers matching customers as one types: it asks the server
 * (OrderAdmin.customer_lookup_view) and fills the box's <datalist> with their e-mail
 * addresses, named. Choosing one puts the address in the box; the check then confirms it. */
(function () {
  function start() {
    var box = document.querySelector("input[data-lookup]");
    if (!box) {
      return;
    }
    var list = document.getElementById(box.getAttribute("list"));
    if (!list) {
      list = document.createElement("datalist");
      list.id = box.getAttribute("list");
      box.after(list);
    }
    var timer = null;
    var asked = 0;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var text = box.value.trim();
        if (text.length < 2) {
          list.replaceChildren();
          return;
        }
        var mine = ++asked;
        fetch(box.dataset.lookup + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
          .then(function (response) {
            return response.ok ? response.json() : { customers: [] };
          })
          .then(function (answer) {
            if (mine !== asked) {
              return; // a later keystroke asked since
            }
            list.replaceChildren.apply(
              list,
              answer.customers.map(function (customer) {
                var option = document.createElement("option");
                option.value = customer.value;
                option.label = customer.label;
                return option;
              })
            );
          })
          .catch(function () {
            list.replaceChildren();
          });
      }, 200);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
