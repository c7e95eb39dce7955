// Quick exit (issue 17; docs/SURVIVOR_SAFETY.md): the `[data-quick-exit]` link, or Escape
// pressed twice within a second, hides the page at once and replaces it AND its history entry
// with the neutral page, so the back button does not bring it back. Without JavaScript the
// link still leads to the neutral page (a normal navigation).
(function () {
  "use strict";
  var target = "/netral";
  function leave(ev) {
    if (ev) ev.preventDefault();
    // Nothing of the page stays on screen while the neutral page loads.
    document.documentElement.style.visibility = "hidden";
    try { document.title = ""; } catch (e) { /* ignore */ }
    window.location.replace(target);
  }
  document.addEventListener("click", function (ev) {
    var el = ev.target && ev.target.closest ? ev.target.closest("[data-quick-exit]") : null;
    if (el) {
      target = el.getAttribute("href") || target;
      leave(ev);
    }
  });
  var lastEscape = 0;
  document.addEventListener("keydown", function (ev) {
    if (ev.key !== "Escape" && ev.key !== "Esc") return;
    var now = Date.now();
    if (now - lastEscape < 1000) {
      leave(ev);
    } else {
      lastEscape = now;
    }
  });
})();
