// Render every plotly figure embedded on the page as JSON; clicking an area opens its page.
(function () {
  "use strict";
  var root = document.documentElement;
  var topojsonURL = root.getAttribute("data-topojson-url");
  document.querySelectorAll("[data-figure]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-figure"));
    if (!source) { return; }
    var figure = JSON.parse(source.textContent);
    var config = { responsive: true, displaylogo: false, topojsonURL: topojsonURL };
    Plotly.newPlot(el, figure.data, figure.layout, config).then(function () {
      el.setAttribute("data-rendered", "true");
    });
    var linkPattern = el.getAttribute("data-link-pattern");
    if (linkPattern) {
      el.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        var code = point && (point.location || (point.customdata && point.customdata[0]));
        if (code) { window.location.href = linkPattern.replace("CODE", encodeURIComponent(code)); }
      });
    }
  });
})();
