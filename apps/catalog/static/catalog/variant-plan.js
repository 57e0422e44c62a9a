/* The product form's variant generator: as sizes, colours or the SKU pattern change, ask the
 * server what would be made (ProductAdmin.variant_plan_view, the same check the save runs)
 * and list each SKU with whether it can be made. */
(function () {
  function start() {
    var box = document.getElementById("variant-plan");
    if (!box) {
      return;
    }
    var form = box.closest("form");
    // Under the fields it answers (the section's description, where it is rendered, sits
    // above them): the list grows without pushing the colours box away while typing.
    var last = form.querySelector("[name=make_pattern]");
    var row = last && last.closest(".form-row, .field-row");
    if (row) {
      row.after(box);
    }
    var timer = null;
    var asked = 0;

    function value(name) {
      var field = form.querySelector("[name=" + name + "]");
      return field ? field.value : "";
    }

    function params() {
      var query = new URLSearchParams();
      query.set("name", value("name"));
      query.set("slug", value("slug"));
      form.querySelectorAll("input[name=make_sizes]:checked").forEach(function (box) {
        query.append("make_sizes", box.value);
      });
      query.set("make_colours", value("make_colours"));
      query.set("make_pattern", value("make_pattern"));
      return query;
    }

    function line(tag, text, className) {
      var element = document.createElement(tag);
      element.textContent = text;
      if (className) {
        element.className = className;
      }
      return element;
    }

    function render(answer) {
      box.replaceChildren();
      if (answer.error) {
        box.appendChild(line("p", answer.error, "text-red-600 dark:text-red-500 mt-2"));
        return;
      }
      var made = answer.variants.filter(function (row) {
        return !row.exists && !row.problem;
      }).length;
      var blocked = answer.variants.some(function (row) {
        return row.problem;
      });
      var summary = blocked
        ? "Nothing will be made until the SKUs marked below are free:"
        : "Saving makes " + made + (made === 1 ? " variant:" : " variants:");
      box.appendChild(line("p", summary, "font-semibold mt-2 mb-1"));
      var table = document.createElement("table");
      table.className = "text-sm";
      var head = table.createTHead().insertRow();
      ["SKU", "Size", "Colour", ""].forEach(function (title) {
        head.appendChild(line("th", title, "text-left pr-4 font-medium"));
      });
      var body = table.createTBody();
      answer.variants.forEach(function (row) {
        var tr = body.insertRow();
        tr.dataset.sku = row.sku;
        tr.appendChild(line("td", row.sku, "pr-4 font-mono"));
        tr.appendChild(line("td", row.size, "pr-4"));
        tr.appendChild(line("td", row.colour, "pr-4"));
        if (row.problem) {
          tr.appendChild(line("td", row.problem, "text-red-600 dark:text-red-500"));
        } else if (row.exists) {
          tr.appendChild(line("td", "the product has it already", "opacity-60"));
        } else {
          tr.appendChild(line("td", "new", "text-green-700 dark:text-green-500"));
        }
      });
      box.appendChild(table);
    }

    function refresh() {
      var query = params();
      if (!query.getAll("make_sizes").length && !query.get("make_colours").trim()) {
        box.replaceChildren();
        return;
      }
      var url = box.dataset.url + (box.dataset.url.indexOf("?") >= 0 ? "&" : "?") + query;
      var mine = ++asked;
      fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          return response.json();
        })
        .then(function (answer) {
          if (mine === asked) {
            render(answer); // only the latest question's answer
          }
        })
        .catch(function () {
          if (mine === asked) {
            box.replaceChildren(line("p", "No preview now; the SKUs are checked when you save."));
          }
        });
    }

    function later(event) {
      if (/^(name|slug|make_)/.test(event.target.name || "")) {
        clearTimeout(timer);
        timer = setTimeout(refresh, 250);
      }
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    refresh();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
