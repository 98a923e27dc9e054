// Title suggestions for the search boxes: fills the <datalist> named by the input's `list`
// attribute from /api/v1/resolve. A separate file (no inline script), so a strict
// Content-Security-Policy (script-src 'self') allows it; the search works without it.
"use strict";
(function () {
  const DELAY_MS = 150;
  function attach(input) {
    const list = document.getElementById(input.getAttribute("list"));
    if (!list) { return; }
    let timer = null;
    let last = "";
    input.addEventListener("input", function () {
      clearTimeout(timer);
      const q = input.value.trim();
      if (q.length < 2 || q === last) { return; }
      timer = setTimeout(function () {
        last = q;
        fetch("/api/v1/resolve?limit=8&q=" + encodeURIComponent(q), { headers: { Accept: "application/json" } })
          .then(function (r) { return r.ok ? r.json() : { results: [] }; })
          .then(function (body) {
            if (input.value.trim() !== q) { return; }
            list.replaceChildren();
            const seen = new Set();
            for (const m of body.results || []) {
              if (seen.has(m.title)) { continue; }
              seen.add(m.title);
              const option = document.createElement("option");
              option.value = m.title;
              list.appendChild(option);
            }
          })
          .catch(function () { /* suggestions are optional */ });
      }, DELAY_MS);
    });
  }
  document.querySelectorAll("input[data-suggest]").forEach(attach);
})();
