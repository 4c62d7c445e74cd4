// Shows and hides questions that depend on an answer on the same page, and checks the rules
// between questions of the page (layout "rules", ADR 0033) before the page is sent.
// Without JavaScript every question stays visible with a hint saying when it applies, and the
// server checks the rules; it always does, this script only saves a round trip.
(function () {
  "use strict";
  var form = document.querySelector("form.form-step");
  if (!form) { return; }
  var dependents = form.querySelectorAll("[data-show-if]");
  var rules = [];
  try { rules = JSON.parse(form.getAttribute("data-rules") || "[]"); } catch (e) { rules = []; }
  if (!dependents.length && !rules.length) { return; }

  function inputsOf(path) {
    var found = [];
    form.querySelectorAll("input, select, textarea").forEach(function (input) {
      var name = input.name || "";
      if (name === path || (name.indexOf(path + ".") === 0 && !/\.__(present|count)$/.test(name))) {
        found.push(input);
      }
    });
    return found;
  }

  function answer(path) {
    var inputs = form.querySelectorAll('[name="' + path.replace(/"/g, "") + '"]');
    var values = [];
    inputs.forEach(function (input) {
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return; }
      if (input.value !== "") { values.push(input.value); }
    });
    return values;
  }

  function filled(path) {
    return inputsOf(path).some(function (input) {
      if (input.type === "hidden" || input.type === "submit") { return false; }
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) { return false; }
      if (input.type === "file") { return input.files && input.files.length > 0; }
      return input.value.trim() !== "";
    });
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

  // --- rules ---------------------------------------------------------------------------------

  function asked(path) {
    var inputs = inputsOf(path);
    return inputs.length > 0 && inputs.some(function (input) { return !input.closest("[hidden]"); });
  }

  function comparable(path) {
    var text = (answer(path)[0] || "").trim();
    if (text === "") { return null; }
    var german = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(text);
    if (german) { return german[3] + "-" + ("0" + german[2]).slice(-2) + "-" + ("0" + german[1]).slice(-2); }
    if (/^\d{4}-\d{2}-\d{2}$/.test(text)) { return text; }
    var number = Number(text.replace(/\s/g, "").replace(",", "."));
    return isNaN(number) ? null : number;
  }

  function holds(op, left, right) {
    if (typeof left !== typeof right) { return true; } // the server explains the wrong value
    switch (op) {
      case "<": return left < right;
      case "<=": return left <= right;
      case ">": return left > right;
      case ">=": return left >= right;
      case "==": return left === right;
      case "!=": return left !== right;
    }
    return true;
  }

  function broken(rule) {
    var paths = rule.fields.concat(rule.other ? [rule.other] : []);
    if (!paths.every(asked) || !(rule.only_if || []).every(filled)) { return null; }
    var count = rule.fields.filter(filled).length;
    if (rule.kind === "at_least_one") { return count === 0 ? rule.messages.none : null; }
    if (rule.kind === "exactly_one") {
      return count === 0 ? rule.messages.none : count > 1 ? rule.messages.many : null;
    }
    if (rule.kind === "required_if") {
      return rule.when && matches(rule.when) && count === 0 ? rule.messages.none : null;
    }
    var value = comparable(rule.fields[0]);
    if (value === null) { return null; }
    if (rule.kind === "compare") {
      var other = comparable(rule.other);
      return other === null || holds(rule.op, value, other) ? null : rule.messages.fail;
    }
    if (rule.kind === "range") {
      var low = rule.min === null ? null : rule.min;
      var high = rule.max === null ? null : rule.max;
      var outside = (low !== null && typeof low === typeof value && value < low) ||
        (high !== null && typeof high === typeof value && value > high);
      return outside ? rule.messages.fail : null;
    }
    return null;
  }

  function marked(element, name) {
    if (element.classList.contains(name)) { return; }
    element.classList.add(name);
    element.setAttribute("data-rule-class", name);
  }

  function show(path, message) {
    var id = "f-" + path.replace(/\./g, "-");
    var target = document.getElementById(id) || document.getElementById(id + "-0");
    if (!target) { var inputs = inputsOf(path); target = inputs.length ? inputs[0] : null; }
    if (!target) { return null; }
    var box = target.tagName === "FIELDSET" ? target : target.closest(".kern-form-input, fieldset") || target.parentNode;
    var note = document.createElement("p");
    note.className = "kern-error form-rule-error";
    note.id = id + "-rule-error";
    note.setAttribute("role", "alert");
    var icon = document.createElement("span");
    icon.className = "kern-icon kern-icon--danger kern-icon--small";
    icon.setAttribute("aria-hidden", "true");
    note.appendChild(icon);
    var text = document.createElement("span");
    text.className = "kern-body";
    text.textContent = message;
    note.appendChild(text);
    // the same look as an error the server reports: the red bar and the marked control
    marked(box, box.tagName === "FIELDSET" ? "kern-fieldset--error" : "kern-form-input--error");
    var legend = box.querySelector(":scope > legend, :scope > label");
    if (legend) { legend.insertAdjacentElement("afterend", note); } else { box.insertBefore(note, box.firstChild); }
    var control = target.matches("input, select, textarea") ? target : box.querySelector("input:not([type=hidden]), select, textarea");
    if (control) {
      var base = ["kern-form-input__input", "kern-form-input__select", "kern-form-check__radio",
        "kern-form-check__checkbox"].filter(function (name) { return control.classList.contains(name); })[0];
      if (base) { marked(control, base + "--error"); }
      if (!control.hasAttribute("aria-invalid")) { control.setAttribute("data-rule-invalid", ""); }
      control.setAttribute("aria-invalid", "true");
      var described = (control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      if (described.indexOf(note.id) === -1) { described.push(note.id); }
      control.setAttribute("aria-describedby", described.join(" "));
    }
    return control;
  }

  function check(event) {
    var button = event.submitter;
    if (button && button.value !== "next") { return; }
    form.querySelectorAll(".form-rule-error").forEach(function (note) { note.remove(); });
    form.querySelectorAll("[data-rule-class]").forEach(function (element) {
      element.classList.remove(element.getAttribute("data-rule-class"));
      element.removeAttribute("data-rule-class");
    });
    form.querySelectorAll("[data-rule-invalid]").forEach(function (control) {
      control.removeAttribute("aria-invalid");
      control.removeAttribute("data-rule-invalid");
    });
    var first = null;
    rules.forEach(function (rule) {
      var message = broken(rule);
      if (message) {
        var control = show(rule.fields[0], message);
        // The first mistake on the page gets the focus, whatever the order of the rules.
        if (control && (!first || (control.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING))) {
          first = control;
        }
      }
    });
    if (first) {
      event.preventDefault();
      first.focus();
    }
  }

  form.addEventListener("change", update);
  if (rules.length) { form.addEventListener("submit", check); }
  update();
}());
