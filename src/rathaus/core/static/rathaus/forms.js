// Shows and hides questions that depend on an answer on the same page.
// Without JavaScript every question stays visible with a hint saying when it applies;
// the server discards answers to questions that do not apply.
(function () {
  "use strict";
  var form = document.querySelector("form.form-step");
  if (!form) { return; }
  var dependents = form.querySelectorAll("[data-show-if]");
  if (!dependents.length) { return; }

  function answer(path) {
    var inputs = form.querySelectorAll('[name="' + path.replace(/"/g, "") + '"]');
    var values = [];
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      if (input.value !== "") { values.push(input.value); }
    });
    return values;
  }

  function matches(condition) {
    var given = answer(condition.field);
    if (condition.filled) { return given.length > 0; }
    var wanted = condition["in"] !== null && condition["in"] !== undefined ? condition["in"] : [condition.equals];
    return wanted.some(function (value) {
      var text = value === true ? "yes" : value === false ? "no" : String(value);
      return given.indexOf(text) !== -1;
    });
  }

  function update() {
    dependents.forEach(function (element) {
      var condition;
      try { condition = JSON.parse(element.getAttribute("data-show-if")); } catch (e) { return; }
      element.hidden = !matches(condition);
    });
  }

  form.addEventListener("change", update);
  update();
}());
