// Poll an import job's API every second: move the progress bar, reload when it finishes.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box || box.getAttribute("data-finished") === "true") { return; }
  var url = box.getAttribute("data-api-url");
  var bar = document.getElementById("import-progress-bar");
  var text = document.getElementById("import-progress-text");
  var status = document.getElementById("import-status");
  var active = { pending: true, running: true };
  var failures = 0;

  function show(job) {
    var progress = job.progress || {};
    var done = progress.rows_done || 0;
    if (progress.percent !== null && progress.percent !== undefined) {
      bar.value = progress.percent;
      bar.textContent = progress.percent + "%";
    }
    text.textContent = done.toLocaleString("en-GB") + (progress.rows_total
      ? " of " + progress.rows_total.toLocaleString("en-GB") + " rows (" + progress.percent + "%)"
      : " rows");
    if (status && job.status_label) { status.textContent = job.status_label; }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (job) {
        failures = 0;
        show(job);
        if (active[job.status]) { window.setTimeout(poll, 1000); }
        else { window.location.reload(); }
      })
      .catch(function () {
        failures += 1;
        if (failures < 30) { window.setTimeout(poll, 1000 * Math.min(failures, 5)); }
        else if (status) { status.textContent = "Lost contact with the server; reload the page to check."; }
      });
  }
  window.setTimeout(poll, 1000);
})();
