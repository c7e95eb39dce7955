// Search-and-pick in front of fields that take a code or an id (village code, person, agency).
// An input with data-pick="/pick/regions?level=village" gets a search box before it; typing a
// name lists matches from that URL (JSON: value, label, detail) and a tap puts the value in the
// field, its name beside it. The field keeps its name and stays editable, so without this script
// (or when the search fails) the code is typed as before. A <select data-pick> (the episode
// form's job orders: the latest few listed, thousands more selectable) gets the same search box;
// a pick beyond its options is added to them and selected.
(function () {
  "use strict";
  function setup(field) {
    if (field.dataset.pickReady) return;
    field.dataset.pickReady = "1";
    var box = document.createElement("div");
    box.className = "pick";
    var search = document.createElement("input");
    search.type = "search";
    search.autocomplete = "off";
    search.className = "pick-search";
    search.placeholder = field.dataset.pickLabel || "";
    search.setAttribute("aria-label", field.dataset.pickLabel || "");
    var list = document.createElement("ul");
    list.className = "pick-list";
    list.setAttribute("aria-live", "polite");
    var chosen = document.createElement("span");
    chosen.className = "pick-chosen small muted";
    box.appendChild(search);
    box.appendChild(list);
    field.parentNode.insertBefore(box, field);
    field.insertAdjacentElement("afterend", chosen);
    if (field.dataset.pickName) chosen.textContent = field.dataset.pickName;
    else if (field.value.trim() && field.dataset.pick.indexOf("/pick/regions") === 0) {
      // A region code already in the field (typed, or kept after a refusal): show its name.
      var code = field.value.trim();
      var lookup = field.dataset.pick + (field.dataset.pick.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(code);
      fetch(lookup, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          var hit = items.filter(function (it) { return it.value === code; })[0];
          if (hit && field.value.trim() === code && !chosen.textContent) chosen.textContent = hit.label;
        })
        .catch(function () {});
    }
    var timer = null;
    var seq = 0;
    function show(items) {
      list.textContent = "";
      if (!items.length && search.value.trim().length >= 2 && field.dataset.pickNone) {
        var li = document.createElement("li");
        li.className = "muted";
        li.textContent = field.dataset.pickNone;
        list.appendChild(li);
      }
      items.forEach(function (it) {
        var li = document.createElement("li");
        var b = document.createElement("button");
        b.type = "button";
        b.className = "pick-choice";
        var name = document.createElement("span");
        name.textContent = it.label;
        var detail = document.createElement("span");
        detail.className = "small muted";
        detail.textContent = " " + it.detail;
        b.appendChild(name);
        b.appendChild(detail);
        b.addEventListener("click", function () {
          if (field.tagName === "SELECT" && !Array.prototype.some.call(field.options, function (o) { return o.value === it.value; })) {
            field.appendChild(new Option(it.label + " " + it.detail, it.value));
          }
          field.value = it.value;
          chosen.textContent = it.label;
          list.textContent = "";
          search.value = "";
          field.dispatchEvent(new Event("change", { bubbles: true }));
        });
        li.appendChild(b);
        list.appendChild(li);
      });
    }
    search.addEventListener("input", function () {
      clearTimeout(timer);
      var q = search.value.trim();
      if (q.length < 2) { show([]); return; }
      timer = setTimeout(function () {
        var mine = ++seq;
        var url = field.dataset.pick + (field.dataset.pick.indexOf("?") < 0 ? "?" : "&") + "q=" + encodeURIComponent(q);
        fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) { if (mine === seq) show(items); })
          .catch(function () { if (mine === seq) show([]); });
      }, 250);
    });
    // Enter in the search box picks nothing and must not submit the form half filled.
    search.addEventListener("keydown", function (ev) {
      if (ev.key === "Enter") {
        ev.preventDefault();
        var first = list.querySelector("button");
        if (first) first.click();
      }
    });
    field.addEventListener("input", function () { chosen.textContent = ""; });
  }
  function all() { document.querySelectorAll("input[data-pick], select[data-pick]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", all); else all();
  document.addEventListener("htmx:afterSwap", all);
})();
