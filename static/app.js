// API docs "try it": sends a call with the pasted token. Only used on /api/docs.
document.addEventListener("submit", async (ev) => {
  const form = ev.target.closest("form.try");
  if (!form) return;
  ev.preventDefault();
  const op = form.closest(".op");
  const token = document.getElementById("api-token").value.trim();
  const headers = { "Accept": "application/json" };
  if (token) headers["Authorization"] = "Bearer " + token;
  const init = { method: op.dataset.method, headers };
  const body = form.querySelector("textarea[name=body]");
  if (body) { headers["Content-Type"] = "application/json"; init.body = body.value; }
  const out = form.querySelector(".result");
  try {
    const res = await fetch(form.querySelector("input[name=path]").value, init);
    const text = await res.text();
    let shown = text;
    try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch (_) {}
    out.textContent = res.status + " " + res.statusText + "\n" + shown;
  } catch (e) {
    out.textContent = String(e);
  }
});
