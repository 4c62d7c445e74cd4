/* The small map of a construction project's page: the project's place (a GeoJSON point, line
 * or area from json_script "project-map-options") on a Leaflet map. The page says the place in
 * words without it; the map replaces only the sentence that asks for JavaScript.
 */
(function () {
  "use strict";

  function start() {
    var box = document.getElementById("project-map");
    var source = document.getElementById("project-map-options");
    if (!box || !source || typeof L === "undefined") {
      return;
    }
    var options = JSON.parse(source.textContent);
    if (!options.tileUrl || !options.geometry) {
      return;
    }
    var element = document.createElement("div");
    element.className = "project-map__leaflet";
    element.setAttribute("role", "region");
    element.setAttribute("aria-label", options.label);
    box.replaceChildren(element);
    var map = L.map(element, { keyboard: true, scrollWheelZoom: false });
    // Leaflet's own prefix carries an English link title; the link alone says enough
    map.attributionControl.setPrefix('<a href="https://leafletjs.com">Leaflet</a>');
    var attribution = document.createElement("div");
    attribution.textContent = options.attribution || "";
    L.tileLayer(options.tileUrl, { maxZoom: 19, attribution: attribution.innerHTML }).addTo(map);
    var shape = L.geoJSON(options.geometry, {
      style: { color: "#b34700", weight: 5, fillOpacity: 0.25 },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 10, color: "#b34700", weight: 3, fillOpacity: 0.6 });
      }
    }).addTo(map);
    map.fitBounds(shape.getBounds(), { padding: [30, 30], maxZoom: 16 });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
