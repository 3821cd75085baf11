"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("run-data").textContent);
  const ROWS = 40, COLS = 24, DRIFT_PAGE = 100;
  const GLYPH = { passed: "✓", failed: "✗", error: "!" };
  const RANK = { error: 0, failed: 1, passed: 2 };
  const DRIFT_GLYPH = { new_access: "+", lost_access: "−", new_error: "!", deny_changed: "~", error_resolved: "~" };
  const nA = DATA.actions.length;
  const state = { principal: "", action: "", result: "all", failures: false, rpage: 0, cpage: 0, sel: null };
  const $ = (id) => document.getElementById(id);

  function el(tag, props, children) {
    const node = document.createElement(tag);
    if (props) for (const k in props) {
      if (k === "text") node.textContent = props[k];
      else if (k === "cls") node.className = props[k];
      else node.setAttribute(k, props[k]);
    }
    if (children) for (const c of children) if (c != null) node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    return node;
  }

  // Lower-cased search strings, computed once.
  const pLower = DATA.principals.map((p) => p.toLowerCase());
  const aLower = DATA.actions.map((a) => a.toLowerCase());

  function matches(c) {
    if (state.failures && c.outcome === "passed") return false;
    const r = state.result;
    if (r === "passed" || r === "failed" || r === "error") { if (c.outcome !== r) return false; }
    else if (r === "drift") { if (!c.drift_is_change) return false; }
    else if (r !== "all") { if (c.drift !== r) return false; }
    if (state.principal && pLower[c.p].indexOf(state.principal) < 0) return false;
    if (state.action && aLower[c.a].indexOf(state.action) < 0) return false;
    return true;
  }

  let groups = new Map(), rows = [], cols = [], shown = 0;
  function recompute() {
    groups = new Map(); shown = 0;
    const rowSet = new Set(), colSet = new Set();
    for (const c of DATA.cells) {
      if (!matches(c)) continue;
      shown++;
      const key = c.p * nA + c.a;
      let g = groups.get(key);
      if (!g) { g = []; groups.set(key, g); }
      g.push(c);
      rowSet.add(c.p); colSet.add(c.a);
    }
    // Principals and actions arrive ordered (drift and failures first); keep that order.
    rows = [...rowSet].sort((x, y) => x - y);
    cols = [...colSet].sort((x, y) => x - y);
    state.rpage = Math.min(state.rpage, Math.max(0, Math.ceil(rows.length / ROWS) - 1));
    state.cpage = Math.min(state.cpage, Math.max(0, Math.ceil(cols.length / COLS) - 1));
  }

  function worst(g) {
    let w = "passed";
    for (const c of g) if (RANK[c.outcome] < RANK[w]) w = c.outcome;
    return w;
  }

  function renderMatrix() {
    const table = $("matrix");
    const r0 = state.rpage * ROWS, c0 = state.cpage * COLS;
    const vr = rows.slice(r0, r0 + ROWS), vc = cols.slice(c0, c0 + COLS);
    const head = el("tr", null, [el("th", { cls: "corner", text: "principal \\ action" })]);
    for (const a of vc) head.appendChild(el("th", { scope: "col", title: DATA.actions[a] }, [el("div", { text: DATA.actions[a] })]));
    const thead = el("thead", null, [head]);
    const tbody = el("tbody");
    for (const p of vr) {
      const tr = el("tr", null, [el("th", { scope: "row", title: DATA.principals[p], text: DATA.principals[p] })]);
      for (const a of vc) {
        const g = groups.get(p * nA + a);
        if (!g) { tr.appendChild(el("td", { cls: "empty" })); continue; }
        const w = worst(g);
        const kinds = [...new Set(g.filter((c) => c.drift_is_change).map((c) => c.drift))];
        const b = el("button", { type: "button", cls: "c " + w + (state.sel === p * nA + a ? " sel" : ""),
          "data-p": p, "data-a": a, "data-outcome": w,
          "aria-label": DATA.principals[p] + " " + DATA.actions[a] + ": " + w + (kinds.length ? " (" + kinds.join(", ") + ")" : ""),
          title: DATA.actions[a] + "\n" + g.length + " cell(s): " + g.map((c) => c.effective).join(", ") },
          [GLYPH[w], el("span", { cls: "dec", text: decisionLetter(g) })]);
        if (kinds.length) {
          const k = kinds.includes("new_access") ? "new_access" : kinds.includes("lost_access") ? "lost_access" : "other";
          b.appendChild(el("span", { cls: "d " + k, text: kinds.map((x) => DRIFT_GLYPH[x]).join("") }));
        }
        tr.appendChild(el("td", null, [b]));
      }
      tbody.appendChild(tr);
    }
    table.replaceChildren(thead, tbody);
    $("status").textContent = "Showing " + shown + " of " + DATA.cells.length + " cells · " + rows.length + " principals × " + cols.length + " actions";
    renderPager();
  }

  function pagerGroup(label, page, count, size, total, key) {
    const pages = Math.max(1, Math.ceil(total / size));
    const span = el("span", null, [label + " " + (total ? page * size + 1 : 0) + "–" + Math.min(total, (page + 1) * size) + " of " + total + " "]);
    const prev = el("button", { type: "button", text: "‹" }); prev.disabled = page <= 0;
    const next = el("button", { type: "button", text: "›" }); next.disabled = page >= pages - 1;
    prev.onclick = () => { state[key] = page - 1; renderMatrix(); writeUrl(); };
    next.onclick = () => { state[key] = page + 1; renderMatrix(); writeUrl(); };
    span.append(prev, next);
    return span;
  }
  // The matrix is about who can do what: beside the outcome glyph, A when every
  // cell behind the button is allowed (what the service enforces), D when all
  // are denied, A/D when the resources differ.
  function decisionLetter(g) {
    const kinds = new Set(g.map((c) => c.effective === "allowed" ? "A" : c.effective === "error" ? "" : "D"));
    kinds.delete("");
    return [...kinds].sort().join("/");
  }

  function renderPager() {
    $("pager").replaceChildren(
      pagerGroup("Principals", state.rpage, rows.length, ROWS, rows.length, "rpage"),
      el("span", { text: " · " }),
      pagerGroup("Actions", state.cpage, cols.length, COLS, cols.length, "cpage"));
  }

  function policyText(doc, stmt) {
    const pre = el("pre");
    const lines = String(doc.text).split("\n");
    const from = stmt.start_line || 0, to = stmt.end_line || from;
    let first = null;
    lines.forEach((line, i) => {
      const n = i + 1;
      const span = el("span", { cls: n >= from && n <= to ? "hl" : "" }, [el("span", { cls: "ln", text: String(n) }), line]);
      if (n === from) first = span;
      pre.append(span, "\n");
    });
    if (first) requestAnimationFrame(() => { pre.scrollTop = Math.max(0, first.offsetTop - pre.offsetTop - 20); });
    return pre;
  }

  function dlRow(dl, k, v) {
    if (v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length)) return;
    dl.append(el("dt", { text: k }), el("dd", null, [typeof v === "string" ? v : v instanceof Node ? v : JSON.stringify(v)]));
  }

  function cellSection(c) {
    const sec = el("section", { cls: "cell " + c.outcome, "data-cell-id": c.id });
    sec.appendChild(el("h3", { text: (GLYPH[c.outcome] || "") + " " + c.outcome + " — " + c.resource }));
    if (c.drift) sec.appendChild(el("p", null, [el("strong", { text: c.drift_label }), " since baseline: " + (c.drift_before || "—") + " → " + c.effective]));
    const dl = el("dl");
    dlRow(dl, "expected", c.expected);
    dlRow(dl, "actual (simulator)", c.actual);
    dlRow(dl, "enforced", c.enforced);
    dlRow(dl, "principal", c.principal);
    dlRow(dl, "account", c.account);
    dlRow(dl, "action", c.action);
    dlRow(dl, "resource", c.resource);
    dlRow(dl, "backend", c.backend + " (" + c.mode + " mode)");
    dlRow(dl, "via", c.via);
    dlRow(dl, "scenario", c.scenario);
    dlRow(dl, "where", c.file ? c.file + ":" + c.line : "");
    dlRow(dl, "reason", c.reason);
    dlRow(dl, "missing context", c.missing_context.join(", "));
    dlRow(dl, "context", c.context.map((e) => e.key + " = " + (e.values || []).join(", ") + " (" + e.type + ")").join("; "));
    dlRow(dl, "tags", c.tags.join(", "));
    dlRow(dl, "cell id", c.id);
    sec.appendChild(dl);
    if (c.advisory) sec.appendChild(el("div", { cls: "advisory" }, [el("strong", { text: "Advisory: " }), c.advisory]));
    if (c.error) sec.appendChild(el("div", { cls: "errbox" }, [el("strong", { text: "Error: " }), c.error]));
    for (const w of c.warnings) sec.appendChild(el("p", { cls: "muted", text: "Warning: " + w }));
    if (c.other && Object.keys(c.other).length) sec.appendChild(el("p", { cls: "muted", text: "Other backend: " + JSON.stringify(c.other) }));
    if (c.explanation.length) {
      sec.appendChild(el("h4", { text: "Explanation" }));
      sec.appendChild(el("ol", null, c.explanation.map((x) => el("li", { text: x }))));
    }
    sec.appendChild(el("h4", { text: "Deciding statements" }));
    if (!c.statements.length) sec.appendChild(el("p", { cls: "muted", text: "None (no statement matched: an implicit deny, or the backend did not say)." }));
    for (const s of c.statements) {
      sec.appendChild(el("p", null, [el("strong", { text: s.label }), s.policy_type ? " · " + s.policy_type : "", s.origin ? " · " + s.origin : ""]));
      const doc = s.doc === null || s.doc === undefined ? null : DATA.policies[s.doc];
      if (doc && doc.text) sec.appendChild(policyText(doc, s));
      else sec.appendChild(el("p", { cls: "muted", text: "Policy text not in the run result" + (doc && doc.sha256 ? " (sha256 " + doc.sha256 + ")" : "") + "." }));
    }
    return sec;
  }

  function showDetail(p, a, cellId) {
    const all = DATA.cells.filter((c) => c.p === p && c.a === a);
    if (!all.length) return;
    state.sel = p * nA + a;
    const panel = $("detail");
    const close = el("button", { type: "button", cls: "close", text: "Close ✕" });
    close.onclick = hideDetail;
    const children = [close, el("h2", { text: DATA.principals[p] }), el("p", null, [el("code", { text: DATA.actions[a] }), " · " + all.length + " cell(s)"])];
    for (const c of all) children.push(cellSection(c));
    panel.replaceChildren(...children);
    panel.hidden = false;
    panel.scrollTop = 0;
    if (cellId) {
      const target = [...panel.querySelectorAll("section.cell")].find((s) => s.getAttribute("data-cell-id") === cellId);
      if (target && target !== panel.querySelector("section.cell")) target.scrollIntoView();
    }
    panel.focus();
    renderMatrix();
  }
  function hideDetail() { $("detail").hidden = true; state.sel = null; renderMatrix(); }

  function renderDrift(limit) {
    if (!DATA.drift) return;
    const changes = DATA.drift.changes.filter((c) => DRIFT_GLYPH[c.kind]);
    if (!changes.length) return;
    $("drift-section").hidden = false;
    const byId = new Map(DATA.cells.map((c) => [c.id, c]));
    const tbody = $("drift-list").tBodies[0];
    tbody.replaceChildren();
    for (const ch of changes.slice(0, limit)) {
      const cell = byId.get(ch.cell_ids[0]);
      const tr = el("tr", { cls: cell ? "click" : "" }, [
        el("td", null, [el("span", { cls: "badge " + (ch.kind === "new_access" ? "b-new" : ch.kind === "lost_access" ? "b-lost" : "b-err"), text: DRIFT_GLYPH[ch.kind] }), " " + ch.kind.replace("_", " ")]),
        el("td", { text: ch.principal }), el("td", { text: ch.action }), el("td", { text: ch.resource }),
        el("td", { text: ch.before || "" }), el("td", { text: ch.after || "" })]);
      if (cell) tr.onclick = () => showDetail(cell.p, cell.a, cell.id);
      tbody.appendChild(tr);
    }
    const more = $("drift-more");
    more.replaceChildren();
    if (changes.length > limit) {
      const b = el("button", { type: "button", text: "Show " + Math.min(DRIFT_PAGE, changes.length - limit) + " more of " + (changes.length - limit) });
      b.onclick = () => renderDrift(limit + DRIFT_PAGE);
      more.appendChild(b);
    }
  }

  function renderErrors() {
    if (!DATA.errors.length) return;
    $("errors-section").hidden = false;
    const tbody = $("error-list").tBodies[0];
    for (const e of DATA.errors) tbody.appendChild(el("tr", null, [el("td", { text: e.file || "" }), el("td", { text: String(e.line || "") }), el("td", { text: e.field || "" }), el("td", { text: e.message || "" })]));
  }

  function readUrl() {
    const q = new URLSearchParams(location.search);
    state.principal = (q.get("principal") || "").toLowerCase();
    state.action = (q.get("action") || "").toLowerCase();
    state.result = q.get("result") || "all";
    state.failures = q.get("failures") === "1";
    state.rpage = parseInt(q.get("rpage") || "0", 10) || 0;
    state.cpage = parseInt(q.get("cpage") || "0", 10) || 0;
    $("f-principal").value = q.get("principal") || "";
    $("f-action").value = q.get("action") || "";
    $("f-result").value = state.result;
    $("f-failures").checked = state.failures;
    return q.get("cell");
  }
  function writeUrl() {
    const q = new URLSearchParams();
    if ($("f-principal").value) q.set("principal", $("f-principal").value);
    if ($("f-action").value) q.set("action", $("f-action").value);
    if (state.result !== "all") q.set("result", state.result);
    if (state.failures) q.set("failures", "1");
    if (state.rpage) q.set("rpage", state.rpage);
    if (state.cpage) q.set("cpage", state.cpage);
    try { history.replaceState(null, "", q.toString() ? "?" + q : location.pathname); } catch (e) { /* file: URLs may refuse */ }
  }

  let timer = 0;
  function onFilter() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.principal = $("f-principal").value.trim().toLowerCase();
      state.action = $("f-action").value.trim().toLowerCase();
      state.result = $("f-result").value;
      state.failures = $("f-failures").checked;
      state.rpage = 0; state.cpage = 0;
      recompute(); renderMatrix(); writeUrl();
    }, 120);
  }

  $("f-principal").addEventListener("input", onFilter);
  $("f-action").addEventListener("input", onFilter);
  $("f-result").addEventListener("change", onFilter);
  $("f-failures").addEventListener("change", onFilter);
  $("f-reset").addEventListener("click", () => {
    $("f-principal").value = ""; $("f-action").value = ""; $("f-result").value = "all"; $("f-failures").checked = false; onFilter();
  });
  $("matrix").addEventListener("click", (ev) => {
    const b = ev.target.closest("button.c");
    if (b) showDetail(Number(b.getAttribute("data-p")), Number(b.getAttribute("data-a")));
  });
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape" && !$("detail").hidden) hideDetail(); });
  $("principal-list").replaceChildren(...DATA.principals.slice(0, 2000).map((p) => el("option", { value: p })));
  $("action-list").replaceChildren(...DATA.actions.slice(0, 2000).map((a) => el("option", { value: a })));

  const cellParam = readUrl();
  recompute();
  renderDrift(DRIFT_PAGE);
  renderErrors();
  renderMatrix();
  if (cellParam) {
    const c = DATA.cells.find((x) => x.id === cellParam);
    if (c) showDetail(c.p, c.a, c.id);
  }
  document.getElementById("filters").addEventListener("submit", (event) => event.preventDefault());
  document.body.setAttribute("data-ready", "1");
})();
