// Framework builder niceties; every page works without this file.
(function () {
  "use strict";

  // Filter the indicator list as the person types (the Search button does it server-side).
  document.querySelectorAll("input[data-filter-select]").forEach(function (input) {
    var select = document.getElementById(input.getAttribute("data-filter-select"));
    if (!select) return;
    var form = input.form;
    form.querySelectorAll(".js-hide").forEach(function (el) { el.hidden = true; });
    function filter() {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      select.querySelectorAll("optgroup").forEach(function (group) {
        var shown = 0;
        group.querySelectorAll("option").forEach(function (option) {
          var text = (option.textContent + " " + option.value).toLowerCase();
          var match = words.every(function (w) { return text.indexOf(w) !== -1; });
          option.hidden = !match;
          if (match) shown += 1;
        });
        group.hidden = shown === 0;
      });
    }
    input.addEventListener("input", filter);
    // Enter in the search box filters instead of pressing the first button (Remove…).
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); filter(); select.focus(); }
    });
    filter();
  });

  // A scoring run's page follows the run until it finishes, then reloads once.
  var state = document.getElementById("run-state");
  if (state && state.getAttribute("data-finished") === "false") {
    var url = state.getAttribute("data-url");
    var status = document.getElementById("run-status");
    var poll = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (data) {
          if (status) status.querySelector("strong").textContent = data.status_label;
          if (data.finished) { window.location.reload(); } else { window.setTimeout(poll, 2000); }
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    };
    window.setTimeout(poll, 1500);
  }
})();
