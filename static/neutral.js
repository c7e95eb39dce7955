// The neutral page (quick exit's destination): adds a few entries of itself to the history, so
// pressing back a few times stays here instead of returning to the page that was left.
(function () {
  "use strict";
  if (!window.history || !window.history.pushState) return;
  for (var i = 0; i < 3; i++) window.history.pushState(null, "", window.location.href);
})();
