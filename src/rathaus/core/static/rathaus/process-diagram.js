// Shows the BPMN diagram of a case's process with the current steps marked (bpmn-js viewer).
// Without JavaScript, or if the diagram cannot be drawn, the list of steps stays the only view.
(function () {
  "use strict";
  var container = document.getElementById("process-diagram");
  if (!container || typeof window.BpmnJS !== "function") {
    return;
  }
  var current = (container.getAttribute("data-current") || "").split(" ").filter(Boolean);
  fetch(container.getAttribute("data-xml"), { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      return response.text();
    })
    .then(function (xml) {
      container.hidden = false;
      var viewer = new window.BpmnJS({ container: container });
      return viewer.importXML(xml).then(function () {
        // The list of steps beside the diagram is its accessible text; the drawing itself stays
        // out of the keyboard order and of the accessibility tree.
        Array.prototype.forEach.call(
          container.querySelectorAll("a, [tabindex], svg"),
          function (element) {
            element.setAttribute("tabindex", "-1");
          }
        );
        var canvas = viewer.get("canvas");
        canvas.zoom("fit-viewport");
        current.forEach(function (id) {
          try {
            canvas.addMarker(id, "process-current");
          } catch (error) {
            // an id that is not drawn: the step list still shows it
          }
        });
      });
    })
    .catch(function () {
      container.hidden = true;
    });
})();
