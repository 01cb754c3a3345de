/* Saves each survey answer as it is given, and says so in the page's status line. Without this
   script nothing is lost: "Save and continue" posts the page and saves the same answers. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave-url]");
  var status = document.getElementById("save-status");
  if (!form || !status || !window.fetch || !window.FormData) {
    return;
  }
  var url = form.getAttribute("data-autosave-url");
  var tokenField = form.querySelector('input[name="csrfmiddlewaretoken"]');
  var counter = document.querySelector("[data-answered-count]");
  var timers = {};
  var pending = 0;

  function say(text) {
    status.textContent = text;
  }

  function save(field) {
    var body = new FormData();
    body.append(field.name, field.value);
    pending += 1;
    say("Saving…");
    fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": tokenField ? tokenField.value : "", "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.json().then(function (data) {
          return { ok: response.ok, data: data };
        });
      })
      .then(function (result) {
        pending -= 1;
        if (result.ok && result.data.saved) {
          if (counter && typeof result.data.answered === "number") {
            counter.textContent = String(result.data.answered);
          }
          if (pending === 0) {
            say("Your answers are saved.");
          }
          return;
        }
        var errors = result.data && result.data.errors ? result.data.errors : {};
        var messages = Object.keys(errors).map(function (key) {
          return errors[key];
        });
        say("Not saved: " + (messages.join(" ") || "please try again.") +
          " Use the buttons below to save instead.");
      })
      .catch(function () {
        pending = Math.max(0, pending - 1);
        say("Not saved just now (no connection?). Your answers will be saved when you use the buttons below.");
      });
  }

  form.addEventListener("change", function (event) {
    var field = event.target;
    if (!field.name || field.name === "csrfmiddlewaretoken") {
      return;
    }
    if (field.type === "radio" && !field.checked) {
      return;
    }
    window.clearTimeout(timers[field.name]);
    save(field);
  });

  form.addEventListener("input", function (event) {
    var field = event.target;
    if (field.tagName !== "TEXTAREA") {
      return;
    }
    window.clearTimeout(timers[field.name]);
    timers[field.name] = window.setTimeout(function () {
      save(field);
    }, 1500);
  });
})();
