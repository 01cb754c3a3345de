/* Follow a report being built: poll its status and move the progress bar without reloading.
   Without JavaScript the page still works: "Check again" reloads it. */
(function () {
  "use strict";
  var section = document.querySelector("[data-report-status-url]");
  var bar = section && section.querySelector("progress");
  if (!bar) { return; }
  var text = section.querySelector("[data-progress-text]");
  var reload = section.querySelector("[data-progress-reload]");
  var done = section.querySelector("[data-progress-done]");
  var lastStatus = "";

  function show(data) {
    bar.value = data.progress;
    bar.textContent = data.progress + "%";
    var message = data.status_label + ": " + data.progress + "% done.";
    if (data.status === "failed") { message = "The report could not be built. " + data.error; }
    if (data.done) { message = "The report is ready."; }
    // Announce changes of status and each quarter, not every step, to keep screen readers calm.
    var quarter = Math.floor(data.progress / 25);
    if (data.status !== lastStatus || quarter !== show.quarter) { text.textContent = message; }
    lastStatus = data.status;
    show.quarter = quarter;
    if (data.finished) {
      if (reload) { reload.hidden = true; }
      if (done) { done.hidden = false; }
      if (data.status === "failed") { window.location.reload(); }
    }
    return data.finished;
  }

  function poll() {
    fetch(section.dataset.reportStatusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (data) { if (!show(data)) { window.setTimeout(poll, 1000); } })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  if (reload) { reload.hidden = true; }
  poll();
})();
