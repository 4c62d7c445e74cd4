/* Drawing the place of a construction site on a Leaflet map (staff form).
 *
 * The form works without it: staff choose the kind of place (point, line, area) and type one
 * "latitude, longitude" pair per line into the field "coordinates"; the server turns that into
 * GeoJSON and checks it. With JavaScript a map above the field lets them click the points in
 * order; buttons (usable with the keyboard) add the map's centre, remove the last point or
 * delete all points. Every change is written into the field, in the same order people type it,
 * so the field stays the one truth. No drawing plugin: imitates assemblies/route-map.js.
 * Options come from the page (json_script "construction-draw-options").
 */
(function () {
  "use strict";

  function start() {
    var slot = document.getElementById("construction-draw-slot");
    var field = document.querySelector('textarea[name="coordinates"]');
    var optionsElement = document.getElementById("construction-draw-options");
    if (!slot || !field || !optionsElement || typeof L === "undefined") {
      return;
    }
    var options = JSON.parse(optionsElement.textContent);
    if (!options.tileUrl) {
      // Without a tile server a map is an empty grey box: staff type the coordinates instead.
      return;
    }
    var labels = options.labels || {};
    var radios = Array.prototype.slice.call(document.querySelectorAll('input[name="place_kind"]'));
    var points = read(field.value);

    var box = document.createElement("div");
    box.className = "construction-draw";
    var mapElement = document.createElement("div");
    mapElement.className = "construction-draw__map";
    mapElement.id = "construction-draw-map";
    mapElement.setAttribute("role", "region");
    mapElement.setAttribute("aria-label", labels.map || "");
    var status = document.createElement("p");
    // Fixed height: rewriting the status must never move the "Save" button under a finger.
    status.className = "kern-body construction-draw__status";
    status.setAttribute("aria-live", "polite");
    var actions = document.createElement("div");
    actions.className = "construction-draw__actions";
    box.appendChild(mapElement);
    box.appendChild(actions);
    box.appendChild(status);
    slot.appendChild(box);

    var map = L.map(mapElement, { keyboard: true }).setView(options.centre, 14);
    L.tileLayer(options.tileUrl, { maxZoom: 19, attribution: escape(options.attribution || "") }).addTo(map);
    map.attributionControl.setPrefix("Leaflet");
    var shape = L.layerGroup().addTo(map);

    function button(text, action, name) {
      var element = document.createElement("button");
      element.type = "button";
      element.className = "kern-btn kern-btn--secondary";
      element.dataset.action = name;
      var label = document.createElement("span");
      label.className = "kern-label";
      label.textContent = text;
      element.appendChild(label);
      element.addEventListener("click", action);
      actions.appendChild(element);
      return element;
    }

    button(labels.add || "+", function () {
      var centre = map.getCenter();
      add(centre.lat, centre.lng);
    }, "add");
    var undoButton = button(labels.undo || "undo", function () {
      points.pop();
      update(true);
    }, "undo");
    var clearButton = button(labels.clear || "clear", function () {
      points = [];
      update(true);
    }, "clear");

    function kind() {
      var checked = radios.filter(function (radio) { return radio.checked; })[0];
      return checked ? checked.value : "";
    }

    function setKind(value) {
      radios.forEach(function (radio) { radio.checked = radio.value === value; });
    }

    function add(latitude, longitude) {
      if (!kind()) {
        setKind("point");
      }
      if (kind() === "point") {
        points = [];
      }
      points.push([round(latitude), round(longitude)]);
      update(true);
    }

    function update(write) {
      shape.clearLayers();
      var current = kind();
      if (current === "area" && points.length >= 3) {
        L.polygon(points, { color: "#a4001b", weight: 4 }).addTo(shape);
      } else if (current === "line" && points.length >= 2) {
        L.polyline(points, { color: "#a4001b", weight: 5 }).addTo(shape);
      }
      points.forEach(function (point) {
        L.circleMarker(point, { radius: 6, color: "#a4001b" }).addTo(shape);
      });
      if (write) {
        field.value = points.map(function (point) { return point[0] + ", " + point[1]; }).join("\n");
      }
      undoButton.disabled = points.length === 0;
      clearButton.disabled = points.length === 0;
      status.textContent = points.length === 0
        ? (labels.none || "")
        : (labels.count || "%(count)s").replace("%(count)s", String(points.length));
    }

    map.on("click", function (event) {
      add(event.latlng.lat, event.latlng.lng);
    });
    field.addEventListener("input", function () {
      points = read(field.value);
      update(false);
    });
    radios.forEach(function (radio) {
      radio.addEventListener("change", function () {
        if (kind() === "point" && points.length > 1) {
          points = points.slice(-1);
          update(true);
        } else {
          update(false);
        }
      });
    });
    update(false);
    if (points.length > 0) {
      map.fitBounds(L.latLngBounds(points), { padding: [24, 24], maxZoom: 17 });
    }
  }

  // "52.2011, 11.6203" or "52,2011; 11,6203" per line, as the server reads it
  function read(text) {
    var found = [];
    text.split(/\r?\n/).forEach(function (line) {
      var parts = line.indexOf(";") >= 0 ? line.split(";") : (line.match(/-?\d+(?:[.,]\d+)?/g) || []);
      if (parts.length !== 2) {
        return;
      }
      var latitude = parseFloat(String(parts[0]).trim().replace(",", "."));
      var longitude = parseFloat(String(parts[1]).trim().replace(",", "."));
      if (isFinite(latitude) && isFinite(longitude)) {
        found.push([latitude, longitude]);
      }
    });
    return found;
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
