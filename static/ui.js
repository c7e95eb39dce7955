// Phone layouts (issue 15), progressive: the pages work without it.
// - A list table (`table.cards`) shows as cards on narrow screens; each cell gets its column
//   heading as `data-label` so the card can caption it.
// - The header menu (`details.menu`) starts folded on narrow screens.
// - A table wider than its box scrolls inside it: make it reachable by keyboard and named.
(function () {
  // The header menu folds on a phone so the page starts with its content, not five rows of links.
  // On a wider screen (a turned tablet, a resized window) it opens again: there it has no button.
  const narrow = window.matchMedia("(max-width: 40rem)");
  const fold = () => document.querySelectorAll("details.menu").forEach((d) => { d.open = !narrow.matches; });
  fold();
  narrow.addEventListener("change", fold);
  function caption(table) {
    const heads = Array.from(table.querySelectorAll("thead th")).map((th) => th.textContent.trim());
    table.querySelectorAll("tbody tr").forEach((tr) => {
      Array.from(tr.children).forEach((td, i) => {
        if (heads[i] && !td.hasAttribute("data-label")) td.setAttribute("data-label", heads[i]);
      });
    });
  }
  function reachable(el) {
    if (el.scrollWidth <= el.clientWidth + 1 || el.hasAttribute("tabindex")) return;
    el.setAttribute("tabindex", "0");
    if (!el.hasAttribute("aria-label") && !el.hasAttribute("aria-labelledby")) {
      const section = el.closest("section");
      const heading = section && section.querySelector("h1, h2, h3");
      const name = (el.querySelector("caption") || heading || document.querySelector("h1"));
      if (name) el.setAttribute("aria-label", name.textContent.trim());
    }
  }
  // A free-text field's length limit is stated, not enforced by silently cutting what was typed
  // or pasted: `maxlength` becomes a hint, and the server refuses an overlong text with a sentence.
  const maxHint = document.body.dataset.maxHint || "";
  function stateLimit(field) {
    const max = Number(field.getAttribute("maxlength"));
    if (!maxHint || !(max >= 40) || field.dataset.pick || field.inputMode === "numeric") return;
    // One-line forms (filters, search, table rows) keep their shape: the server's sentence is enough.
    if (field.closest(".inline-form, .row, .search, td, header")) return;
    field.removeAttribute("maxlength");
    field.dataset.maxlength = String(max);
    const id = field.id ? field.id + "-hint" : "";
    if (id && document.getElementById(id)) return; // the template states it already
    const hint = document.createElement("small");
    hint.className = "muted small max-hint";
    hint.textContent = maxHint.replace("{max}", String(max));
    if (id) { hint.id = id; field.setAttribute("aria-describedby", id); }
    const label = field.closest("label");
    (label || field).insertAdjacentElement("afterend", hint);
    const check = () => hint.classList.toggle("over", field.value.length > max);
    field.addEventListener("input", check);
    check();
  }
  function run(root) {
    root.querySelectorAll("input[maxlength]:not([type]), input[maxlength][type=text], textarea[maxlength]").forEach(stateLimit);
    root.querySelectorAll("table.cards").forEach(caption);
    root.querySelectorAll("table, .scroll").forEach(reachable);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => run(document));
  else run(document);
  document.addEventListener("htmx:afterSwap", (e) => run(e.target));
})();
