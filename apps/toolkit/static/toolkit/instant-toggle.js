/* A switch in a list that saves as it is flipped: <input type="checkbox"
 * data-instant-toggle="URL" data-submission="KEY">. It posts featured=1|0 (the state wanted,
 * so a double click or another tab that already did it changes nothing) with the switch's
 * one-time submission key (a retry of the same flip is answered as the first, never applied
 * twice; each answer brings the key of the next flip), and says what happened next to it;
 * when the server refuses, the switch goes back and the reason is shown. */
(function () {
  function csrfToken() {
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-instant-toggle]")) {
      return;
    }
    var wanted = box.checked;
    var state = box.parentNode.querySelector(".instant-toggle-state");
    box.disabled = true;
    state.textContent = "Saving…";
    var body = new URLSearchParams({ featured: wanted ? "1" : "0" });
    fetch(box.dataset.instantToggle, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrfToken(),
        "X-Requested-With": "fetch",
        "X-Submission-Key": box.dataset.submission || "",
        Accept: "application/json",
      },
    })
      .then(function (response) {
        return response
          .json()
          .catch(function () {
            // Not JSON: the sign-in page (the session ended) or the refusal page.
            if (response.redirected) {
              return { error: "Your session has ended: sign in again, then retry." };
            }
            if (response.status === 403) {
              return { error: "Your role may not change this." };
            }
            return { error: "The server refused (" + response.status + ")." };
          })
          .then(function (answer) {
            if (!response.ok || answer.error) {
              throw new Error(answer.error || "The server refused (" + response.status + ").");
            }
            if (answer.next_key) {
              box.dataset.submission = answer.next_key;
            }
            box.checked = answer.featured;
            state.textContent = "Saved";
            state.title = answer.message;
          });
      })
      .catch(function (error) {
        box.checked = !wanted;
        state.textContent = "Not saved";
        state.title = error.message;
        window.alert("Not saved: " + error.message);
      })
      .finally(function () {
        box.disabled = false;
      });
  });
})();
