/* The route map of the assembly notice: draw the route as a line on a Leaflet map.
 *
 * The form works without it: the list of streets is what counts, and the field "route_line"
 * holds the line as GeoJSON (a LineString of [longitude, latitude] points), which the server
 * checks. With JavaScript, a map above the field lets the applicant click the points of the
 * route in order; buttons (usable with the keyboard) add the map's centre as a point, remove the
 * last point or delete the route. Every change is written into the field.
 * Options (tile URL, attribution, texts) come from the page (json_script
 * "form-script-assemblies.route-map").
 */
(function () {
  "use strict";

  function start() {
    var field = document.querySelector('textarea[name="route_line"]');
    var optionsElement = document.getElementById("form-script-assemblies.route-map");
    if (!field || !optionsElement || typeof L === "undefined") {
      return;
    }
    var options = JSON.parse(optionsElement.textContent);
    var labels = options.labels || {};
    var points = read(field.value);

    var box = document.createElement("div");
    box.className = "route-map";
    var mapElement = document.createElement("div");
    mapElement.className = "route-map__map";
    mapElement.id = "route-map";
    mapElement.setAttribute("role", "region");
    mapElement.setAttribute("aria-label", labels.map || "");
    var status = document.createElement("p");
    status.className = "kern-body route-map__status";
    status.id = "route-map-status";
    status.setAttribute("aria-live", "polite");
    var actions = document.createElement("div");
    actions.className = "route-map__actions";
    box.appendChild(mapElement);
    box.appendChild(status);
    box.appendChild(actions);
    // inside the field's block, so that it is hidden with the field (a stationary assembly)
    field.parentNode.insertBefore(box, field);

    var map = L.map(mapElement, { keyboard: true }).setView(options.center, options.zoom);
    if (options.tileUrl) {
      L.tileLayer(options.tileUrl, { maxZoom: 19, attribution: escape(options.attribution || "") }).addTo(map);
    }
    var line = L.polyline([], { color: "#0b5394", weight: 5 }).addTo(map);
    var markers = L.layerGroup().addTo(map);

    function button(text, action) {
      var element = document.createElement("button");
      element.type = "button";
      element.className = "kern-btn kern-btn--secondary";
      var label = document.createElement("span");
      label.className = "kern-label";
      label.textContent = text;
      element.appendChild(label);
      element.addEventListener("click", action);
      actions.appendChild(element);
      return element;
    }

    var addButton = button(labels.add || "+", function () {
      var centre = map.getCenter();
      add(centre.lng, centre.lat);
    });
    var undoButton = button(labels.undo || "undo", function () {
      points.pop();
      update(true);
    });
    var clearButton = button(labels.clear || "clear", function () {
      points = [];
      update(true);
    });
    addButton.dataset.action = "add";
    undoButton.dataset.action = "undo";
    clearButton.dataset.action = "clear";

    function add(longitude, latitude) {
      points.push([round(longitude), round(latitude)]);
      update(true);
    }

    function update(write) {
      line.setLatLngs(points.map(function (point) { return [point[1], point[0]]; }));
      markers.clearLayers();
      points.forEach(function (point) {
        L.circleMarker([point[1], point[0]], { radius: 5, color: "#0b5394" }).addTo(markers);
      });
      if (write) {
        field.value = points.length >= 2
          ? JSON.stringify({ type: "LineString", coordinates: points })
          : "";
      }
      undoButton.disabled = points.length === 0;
      clearButton.disabled = points.length === 0;
      if (points.length === 0) {
        status.textContent = labels.none || "";
      } else if (points.length === 1) {
        status.textContent = labels.one || "";
      } else {
        status.textContent = (labels.many || "%(count)s").replace("%(count)s", String(points.length));
      }
    }

    map.on("click", function (event) {
      add(event.latlng.lng, event.latlng.lat);
    });
    field.addEventListener("change", function () {
      points = read(field.value);
      update(false);
    });
    update(false);
    if (typeof ResizeObserver !== "undefined") {
      // the map may start hidden (its question is shown only for a procession)
      new ResizeObserver(function () { map.invalidateSize(); }).observe(mapElement);
    }
    if (points.length >= 2) {
      map.fitBounds(line.getBounds(), { padding: [20, 20] });
    }
  }

  function read(text) {
    try {
      var document_ = JSON.parse(text);
      if (document_ && document_.type === "LineString" && Array.isArray(document_.coordinates)) {
        return document_.coordinates.filter(function (point) {
          return Array.isArray(point) && typeof point[0] === "number" && typeof point[1] === "number";
        }).map(function (point) { return [point[0], point[1]]; });
      }
    } catch (error) {
      // not (yet) a line: start empty; the server says what is wrong with the field
    }
    return [];
  }

  function round(value) {
    return Math.round(value * 1e6) / 1e6;
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
