/* The map of the construction sites (public list and one site's page).
 *
 * The list is the content; the map is an aid. Without JavaScript (or without Leaflet) nothing
 * is shown here. With it, a labelled map region is put into the empty slot
 * "#construction-map-slot", preceded by a link that skips the map. Each site with a place is
 * drawn as a marker, a line or an area, with a popup that links to its page. Options (tile URL,
 * attribution, texts, the sites as GeoJSON geometries) come from the page (json_script
 * "construction-map-options").
 */
(function () {
  "use strict";

  function start() {
    var slot = document.getElementById("construction-map-slot");
    var optionsElement = document.getElementById("construction-map-options");
    if (!slot || !optionsElement || typeof L === "undefined") {
      return;
    }
    var options = JSON.parse(optionsElement.textContent);
    var labels = options.labels || {};
    // Without a tile server a map is an empty grey box: the list says everything.
    if (!options.tileUrl || !options.sites || options.sites.length === 0) {
      return;
    }
    var skip = document.createElement("a");
    skip.className = "kern-link construction-map__skip";
    skip.href = "#" + (slot.getAttribute("data-skip-to") || "inhalt");
    skip.textContent = labels.skip || "";
    var mapElement = document.createElement("div");
    mapElement.className = "construction-map";
    mapElement.id = "construction-map";
    mapElement.setAttribute("role", "region");
    mapElement.setAttribute("aria-label", labels.map || "");
    slot.appendChild(skip);
    slot.appendChild(mapElement);

    var map = L.map(mapElement, { keyboard: true, scrollWheelZoom: false })
      .setView(options.centre, 14);
    L.tileLayer(options.tileUrl, { maxZoom: 19, attribution: escape(options.attribution || "") }).addTo(map);
    map.attributionControl.setPrefix("Leaflet");
    var group = L.featureGroup().addTo(map);
    options.sites.forEach(function (site) {
      var layer = L.geoJSON(site.geometry, {
        style: function () { return { color: "#a4001b", weight: 5, fillOpacity: 0.25 }; },
        pointToLayer: function (feature, latlng) {
          return L.circleMarker(latlng, { radius: 9, color: "#a4001b", weight: 3, fillOpacity: 0.6 });
        }
      });
      layer.bindPopup(popup(site));
      layer.addTo(group);
    });
    var bounds = group.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
    }
  }

  function popup(site) {
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.className = "kern-link";
    link.href = site.url;
    link.textContent = site.title;
    var title = document.createElement("strong");
    title.appendChild(link);
    box.appendChild(title);
    var text = document.createElement("p");
    text.textContent = site.kind + ": " + site.period;
    box.appendChild(text);
    return box;
  }

  function escape(text) {
    var element = document.createElement("span");
    element.textContent = text;
    return element.innerHTML;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
