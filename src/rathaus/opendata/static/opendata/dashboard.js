/* The dashboards at /daten/ (ADR 0061), an enhancement of pages that work without it.
 *
 * Chart: the values (json_script "opendata-chart-data", the same as the table below it) drawn
 * with uPlot, with the limit as a second line. Map: with a tile server configured, the stations
 * on a Leaflet map instead of the plain drawing (json_script "opendata-map-options"); without
 * tiles the plain drawing and the list stay.
 */
(function () {
  "use strict";

  function data(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  function chart() {
    var box = document.getElementById("opendata-chart");
    var series = data("opendata-chart-data");
    if (!box || !series || typeof uPlot === "undefined" || series.x.length < 2) {
      return;
    }
    box.hidden = false;
    box.setAttribute("role", "img");
    box.setAttribute("aria-label", series.label);
    var lines = [{}, { label: series.name + (series.unit ? " (" + series.unit + ")" : ""), stroke: "#0b5394", width: 2 }];
    var values = [series.x, series.y];
    if (series.limit !== null) {
      lines.push({ label: series.limitLabel, stroke: "#a4001b", dash: [8, 4], width: 2 });
      values.push(series.x.map(function () { return series.limit; }));
    }
    var plot = new uPlot(
      { width: Math.max(box.clientWidth, 280), height: 300, series: lines, axes: [{}, { label: series.unit }] },
      values,
      box
    );
    window.addEventListener("resize", function () {
      plot.setSize({ width: Math.max(box.clientWidth, 280), height: 300 });
    });
  }

  function map() {
    var box = document.getElementById("opendata-map");
    var options = data("opendata-map-options");
    if (!box || !options || !options.tileUrl || typeof L === "undefined" || !options.points.length) {
      return;
    }
    var element = document.createElement("div");
    element.className = "opendata-map__leaflet";
    element.setAttribute("role", "region");
    element.setAttribute("aria-label", options.label);
    box.replaceChildren(element);
    var leaflet = L.map(element, { keyboard: true });
    L.tileLayer(options.tileUrl, { maxZoom: 19, attribution: text(options.attribution || "") }).addTo(leaflet);
    var bounds = [];
    options.points.forEach(function (point) {
      var popup = document.createElement("div");
      var title = document.createElement("strong");
      title.textContent = point.name;
      popup.appendChild(title);
      point.values.forEach(function (value) {
        var line = document.createElement("div");
        var link = document.createElement("a");
        link.href = value.url;
        link.textContent = value.label;
        line.appendChild(link);
        line.appendChild(document.createTextNode(": " + value.text));
        popup.appendChild(line);
      });
      L.marker([point.lat, point.lon], { title: point.name, alt: point.name }).bindPopup(popup).addTo(leaflet);
      bounds.push([point.lat, point.lon]);
    });
    leaflet.fitBounds(bounds, { padding: [30, 30], maxZoom: 14 });
  }

  function text(value) {
    var element = document.createElement("div");
    element.textContent = value;
    return element.innerHTML;
  }

  function start() {
    chart();
    map();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
