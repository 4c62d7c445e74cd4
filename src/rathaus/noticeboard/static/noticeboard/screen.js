/* The screens of the digital notice board (docs/screens.md): cycle through the screen's pages
   locally, ask the server for new content every few minutes, and recover by itself after
   network loss — keep the last good content, mark "no connection since", retry with growing
   pauses, and reload the page after a long outage or when the screen's configuration changed
   (the "version" of the content). No framework; loaded with the page's CSP nonce. */
(function () {
  "use strict";

  var body = document.body;
  var contentNode = document.getElementById("screen-content");
  var labelsNode = document.getElementById("screen-labels");
  if (!body || !body.dataset.contentUrl || !contentNode || !labelsNode) return;

  var labels = JSON.parse(labelsNode.textContent);
  var content = JSON.parse(contentNode.textContent);
  var version = content.version;
  var index = parseInt(body.dataset.number, 10) || 0;
  var failures = 0;
  var offlineSince = null;
  var slideTimer = null;
  var fetchTimer = null;
  var timeZone = body.dataset.timeZone || undefined;
  var lang = document.documentElement.lang || "de";

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, key) {
      return values[key] === undefined ? "" : String(values[key]);
    });
  }

  function clockText(date) {
    return date.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", timeZone: timeZone });
  }

  function tick() {
    var now = new Date();
    var clock = document.getElementById("screen-clock");
    var day = document.getElementById("screen-date");
    clock.textContent = clockText(now);
    clock.setAttribute("datetime", now.toISOString());
    day.textContent = now.toLocaleDateString(lang, {
      weekday: "long", day: "numeric", month: "long", timeZone: timeZone
    });
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(slide, number, count) {
    var article = element("article", "screen-slide screen-slide--" + slide.severity +
      (slide.calm ? " screen-slide--calm" : ""));
    article.appendChild(element("p", "screen-heading", slide.heading));
    article.appendChild(element("h1", "screen-title", slide.title));
    if (slide.lines.length) {
      var lines = element("ul", "screen-lines");
      slide.lines.forEach(function (line) { lines.appendChild(element("li", "", line)); });
      article.appendChild(lines);
    }
    if (slide.facts.length) {
      var facts = element("dl", "screen-facts");
      slide.facts.forEach(function (fact) {
        var row = element("div", "screen-fact");
        row.appendChild(element("dt", "", fact.label));
        row.appendChild(element("dd", "", fact.value));
        facts.appendChild(row);
      });
      article.appendChild(facts);
    }
    var main = document.getElementById("screen-slide");
    main.replaceChildren(article);
    document.getElementById("screen-source").textContent = format(labels.source, { source: slide.source });
    var progress = document.getElementById("screen-progress");
    progress.max = count;
    progress.value = number + 1;
    document.getElementById("screen-page").textContent =
      format(labels.page, { number: number + 1, count: count });
  }

  function show() {
    var slides = content.slides;
    if (!slides.length) return;
    index = index % slides.length;
    var slide = slides[index];
    render(slide, index, slides.length);
    body.dataset.number = String(index);
    clearTimeout(slideTimer);
    slideTimer = setTimeout(function () {
      index = (index + 1) % content.slides.length;
      show();
    }, Math.max(1, slide.seconds) * 1000);
  }

  function markOffline() {
    var marker = document.getElementById("screen-offline");
    if (offlineSince === null) {
      marker.hidden = true;
      marker.textContent = "";
      body.classList.remove("screen--offline");
      return;
    }
    marker.textContent = format(labels.offline, { time: clockText(offlineSince) });
    marker.hidden = false;
    body.classList.add("screen--offline");
  }

  function schedule(seconds) {
    clearTimeout(fetchTimer);
    fetchTimer = setTimeout(refresh, seconds * 1000);
  }

  function failed() {
    failures += 1;
    if (offlineSince === null) offlineSince = new Date();
    markOffline();
    // 5 s, 10 s, 20 s … up to the usual pause between two requests
    schedule(Math.min(content.retry * Math.pow(2, failures - 1), content.refresh));
  }

  function received(data) {
    var longOutage = offlineSince !== null &&
      (Date.now() - offlineSince.getTime()) / 1000 >= content.reloadAfter;
    if (data.version !== version || longOutage) {
      window.location.reload();
      return;
    }
    failures = 0;
    offlineSince = null;
    markOffline();
    content = data;
    if (index >= content.slides.length) index = 0;
    schedule(content.refresh);
  }

  function refresh() {
    fetch(body.dataset.contentUrl, {
      cache: "no-store", credentials: "same-origin", headers: { Accept: "application/json" }
    }).then(function (response) {
      if (response.status === 404) {
        // the screen was switched off or removed: the plain page says so and looks again
        window.location.reload();
        return null;
      }
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    }).then(function (data) {
      if (data) received(data);
    }).catch(failed);
  }

  tick();
  setInterval(tick, 10000);
  show();
  schedule(content.refresh);
})();
