/* Find your school as you type: swaps the server's list of schools (radio buttons) into the
   profile form and says how many were found. Without this script the "Search for schools"
   button does the same with a page reload. */
(function () {
  "use strict";
  var input = document.getElementById("id_school_query");
  var results = document.getElementById("school-results");
  var status = document.getElementById("school-status");
  if (!input || !results || !status || !window.fetch) {
    return;
  }
  var url = results.getAttribute("data-search-url");
  var timer = null;
  var controller = null;
  var lastQuery = input.value.trim();

  function chosenSchool() {
    var checked = results.querySelector('input[name="school"]:checked');
    return checked ? checked.value : "";
  }

  function search() {
    var query = input.value.trim();
    if (query === lastQuery) {
      return;
    }
    lastQuery = query;
    if (controller) {
      controller.abort();
    }
    controller = new AbortController();
    var params = new URLSearchParams({ q: query, selected: chosenSchool() });
    fetch(url + "?" + params.toString(), {
      signal: controller.signal,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        results.innerHTML = html;
        var summary = results.querySelector("[data-summary]");
        status.textContent = summary ? summary.textContent.trim() : "";
      })
      .catch(function () {
        /* Leave the list as it was; the Search button still works. */
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 250);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      window.clearTimeout(timer);
      lastQuery = null;
      search();
    }
  });
})();
