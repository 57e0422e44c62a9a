/* One click, one request: a form that posts disables its buttons while its request runs, so a
 * double click or an impatient second click does not leave the browser twice. The server is
 * the guarantee (every form carries a one-time submission key: apps/toolkit/submissions/);
 * this only spares the second request. The buttons come back when the page is shown again
 * from the browser's cache (Back), and after a while for a form that downloads a file instead
 * of leaving the page. */
(function () {
  var AGAIN_AFTER_MS = 8000;

  function buttonsOf(form) {
    var all = document.querySelectorAll("button, input[type=submit], input[type=image]");
    return Array.prototype.filter.call(all, function (button) {
      return button.form === form && button.type !== "button" && button.type !== "reset";
    });
  }

  function release(form) {
    delete form.dataset.submitting;
    buttonsOf(form).forEach(function (button) {
      if (button.dataset.submitOnceDisabled) {
        button.disabled = false;
        button.removeAttribute("aria-busy");
        delete button.dataset.submitOnceDisabled;
      }
    });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") {
      return;
    }
    if (form.dataset.submitting) {
      event.preventDefault(); // the second click of a double click
      return;
    }
    form.dataset.submitting = "1";
    // After the event: the browser has read the pressed button's name and value by then.
    window.setTimeout(function () {
      if (event.defaultPrevented) {
        release(form); // another script stopped this submission
        return;
      }
      buttonsOf(form).forEach(function (button) {
        if (!button.disabled) {
          button.disabled = true;
          button.setAttribute("aria-busy", "true");
          button.dataset.submitOnceDisabled = "1";
        }
      });
      window.setTimeout(function () {
        release(form);
      }, AGAIN_AFTER_MS);
    }, 0);
  });

  window.addEventListener("pageshow", function () {
    document.querySelectorAll("form[data-submitting]").forEach(release);
  });
})();
