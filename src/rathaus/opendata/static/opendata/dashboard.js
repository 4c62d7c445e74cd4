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
    var zone = series.timeZone;
    var time = new Intl.DateTimeFormat("de-DE", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    var day = new Intl.DateTimeFormat("de-DE", { timeZone: zone, day: "numeric", month: "numeric" });
    var full = new Intl.DateTimeFormat("de-DE", {
      timeZone: zone, day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    });
    var number = new Intl.NumberFormat("de-DE", { maximumFractionDigits: 1 });
    var daily = series.x[series.x.length - 1] - series.x[0] > 2 * 86400;
    function when(seconds) { return seconds == null ? "" : full.format(new Date(seconds * 1000)); }
    function amount(u, value) { return value == null ? "" : number.format(value) + (series.unit ? " " + series.unit : ""); }
    function tick(seconds) {
      var date = new Date(seconds * 1000);
      return daily ? day.format(date) + "." : time.format(date);
    }
    var lines = [
      { label: series.timeLabel, value: function (u, seconds) { return when(seconds); } },
      { label: series.name, stroke: "#0b5394", width: 2, value: amount }
    ];
    var values = [series.x, series.y];
    var bands = [];
    if (series.low && series.high) {
      // the lowest and highest value of each hour or day as a band around the mean
      lines.push({ label: series.lowLabel, stroke: "#7a9cc6", width: 1, value: amount });
      lines.push({ label: series.highLabel, stroke: "#7a9cc6", width: 1, value: amount });
      values.push(series.low, series.high);
      bands.push({ series: [3, 2], fill: "rgba(11, 83, 148, 0.12)" });
    }
    if (series.limit !== null) {
      lines.push({ label: series.limitLabel, stroke: "#a4001b", dash: [8, 4], width: 2, value: amount });
      values.push(series.x.map(function () { return series.limit; }));
    }
    var plot = new uPlot(
      {
        width: Math.max(box.clientWidth, 280),
        height: 300,
        series: lines,
        bands: bands,
        axes: [
          { values: function (u, splits) { return splits.map(tick); } },
          { label: series.unit, values: function (u, splits) { return splits.map(function (v) { return number.format(v); }); } }
        ]
      },
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
    // Leaflet's own prefix carries an English link title; the link alone says enough
    leaflet.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
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
      // the same numbered circles as the plain drawing and the list (no marker images needed)
      var icon = L.divIcon({
        className: "opendata-map__marker",
        html: "<span>" + point.number + "</span>",
        iconSize: [28, 28],
        iconAnchor: [14, 14],
        popupAnchor: [0, -14]
      });
      L.marker([point.lat, point.lon], { icon: icon, title: point.number + ". " + point.name }).bindPopup(popup).addTo(leaflet);
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
