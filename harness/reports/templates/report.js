"use strict";
(function () {
  // Two data blocks (harness/reports/html.py): run-data (JSON, parsed now: the summary and every
  // cell that is not a plain pass) and cell-lines (one line per other cell, decoded when a summary
  // cell is first opened). Values are only ever inserted with textContent.
  const DATA = JSON.parse(document.getElementById("run-data").textContent);
  const ROWS = 40, COLS = 24, LIST_PAGE = 100, FIRST_FAILURES = 20, SECTION_PAGE = 50;
  const GLYPH = { passed: "✓", failed: "✗", error: "!" };
  const DRIFT_GLYPH = { new_access: "+", lost_access: "−", new_error: "!", deny_changed: "~", error_resolved: "~" };
  const OUTCOME = { p: "passed", f: "failed", e: "error" };
  const DECISION = { A: "allowed", X: "explicitDeny", I: "implicitDeny", D: "denied", E: "error", "-": null };
  const nS = DATA.services.length;
  const [C_CELLS, C_ALLOWED, C_DENIED, C_FAILED, C_ERROR, C_CHANGED] = [0, 1, 2, 3, 4, 5];
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

  // Summary groups: row * nS + service -> counts (cells, allowed, denied, failed, error, changed).
  const GROUPS = new Map();
  const width = 2 + DATA.count_fields.length;
  for (let i = 0; i < DATA.groups.length; i += width) {
    GROUPS.set(DATA.groups[i] * nS + DATA.groups[i + 1], DATA.groups.slice(i + 2, i + width));
  }
  // Cells held in full (failed, error, changed), per group, worst first.
  const HELD = new Map();
  for (const c of DATA.cells) {
    const key = c.t * nS + c.s;
    let list = HELD.get(key);
    if (!list) { list = []; HELD.set(key, list); }
    list.push(c);
  }
  const rowLower = DATA.rows.map((p) => p.toLowerCase());
  // A service matches the action filter by its name or any of its actions' names.
  const serviceText = DATA.services.map((s) => s.toLowerCase());
  DATA.actions.forEach((a, i) => { serviceText[DATA.action_service[i]] += " " + a.toLowerCase(); });

  // ---- compact lines, decoded on demand ------------------------------------------------------
  let LINES = null;  // { raw: [line], res: [resource], ids: [id], byGroup: Map(key -> [n]) }
  function unescape(s) {
    return s.indexOf("\\") < 0 ? s : s.replace(/\\([\s\S])/g, (m, c) => c === "t" ? "\t" : c === "n" ? "\n" : c === "r" ? "\r" : c === "0" ? "\0" : c === "l" ? "<" : c);
  }
  // The first time: split the block and file each line under its summary cell, reading only its
  // first two numbers. Resources and ids are decoded line by line as they are shown (decode).
  function lines() {
    if (LINES) return LINES;
    const text = document.getElementById("cell-lines").textContent;
    const raw = text ? text.split("\n") : [];
    if (raw.length && raw[raw.length - 1] === "") raw.pop();
    const byGroup = new Map();
    for (let n = 0; n < raw.length; n++) {
      const line = raw[n], tab = line.indexOf("\t");
      const key = DATA.triples[parseInt(line, 10)] * nS + DATA.action_service[parseInt(line.slice(tab + 1), 10)];
      let list = byGroup.get(key);
      if (!list) { list = []; byGroup.set(key, list); }
      list.push(n);
    }
    LINES = { raw, res: new Array(raw.length), ids: new Array(raw.length), byGroup };
    return LINES;
  }
  // Resource and id of line n: from the start of its chunk (a chunk shares no prefix with the one before).
  function decode(n) {
    const L = lines();
    if (L.ids[n] !== undefined) return L;
    let prevRes = "", prevId = "";
    for (let k = n - (n % DATA.lines.chunk); k <= n; k++) {
      if (L.ids[k] === undefined) {
        const f = L.raw[k].split("\t", 7);
        L.res[k] = prevRes.slice(0, +f[3]) + unescape(f[4]);
        L.ids[k] = prevId.slice(0, +f[5]) + unescape(f[6]);
      }
      prevRes = L.res[k]; prevId = L.ids[k];
    }
    return L;
  }
  // A compact line as the record cellSection shows.
  function lineCell(n) {
    const L = decode(n);
    const f = L.raw[n].split("\t");
    const extra = f[10] ? JSON.parse(unescape(f[10])) : {};
    const codes = f[2];
    const pick = (i, name) => codes[i] === "?" ? extra[name] : (name === "outcome" ? OUTCOME[codes[i]] : DECISION[codes[i]]);
    const t = +f[0], a = +f[1];
    const origin = f[7] !== "" ? DATA.origins[+f[7]] : (extra.origin || {});
    const key = DATA.triple_keys[t];
    const actual = pick(2, "actual"), enforced = pick(3, "enforced");
    const drift = codes[4] === "-" ? null : DATA.drift_kinds[+codes[4]];
    return {
      t: DATA.triples[t], s: DATA.action_service[a], a, id: L.ids[n], account: key[0], principal: key[1],
      action: DATA.actions[a], resource: L.res[n], outcome: pick(0, "outcome"), expected: pick(1, "expected"),
      actual, enforced, effective: actual === "error" ? "error" : (enforced || actual),
      advisory: extra.advisory || null, via: extra.via || null, error: extra.error || null,
      backend: origin.backend || "", mode: origin.mode || "", reason: origin.reason || "",
      scenario: origin.scenario || "", file: origin.file || "", tags: origin.tags || [], line: +f[8],
      statements: f[9] ? f[9].split(",").map((i) => DATA.statements[+i]) : (extra.statements || []),
      explanation: extra.explanation || [], missing_context: extra.missing_context || [],
      warnings: extra.warnings || [], other: extra.other || {}, context: extra.context || [],
      drift, drift_label: drift ? drift.replace("_", " ") : null, drift_before: extra.drift_before || null,
      drift_is_change: false, compact: true, covers: [], fix: extra.fix || null,
    };
  }
  function findCell(id) {
    const held = DATA.cells.find((c) => c.id === id);
    if (held) return held;
    // A deep link to a line: the one whose stored tail ends the id, confirmed by decoding it.
    const L = lines();
    for (let n = 0; n < L.raw.length; n++) {
      const tail = unescape(L.raw[n].split("\t", 7)[6]);
      if (id.endsWith(tail) && decode(n).ids[n] === id) return lineCell(n);
    }
    return null;
  }

  // ---- the summary matrix --------------------------------------------------------------------
  function groupMatches(key, counts) {
    const bad = counts[C_FAILED] + counts[C_ERROR];
    if (state.failures && !bad) return false;
    const r = state.result;
    if (r === "passed") return !bad;
    if (r === "failed") return counts[C_FAILED] > 0;
    if (r === "error") return counts[C_ERROR] > 0;
    if (r === "drift") return counts[C_CHANGED] > 0;
    if (r !== "all") return (HELD.get(key) || []).some((c) => c.drift === r);
    return true;
  }

  let rows = [], cols = [], shown = 0, shownCells = 0;
  function recompute() {
    const rowSet = new Set(), colSet = new Set();
    shown = 0; shownCells = 0;
    for (const [key, counts] of GROUPS) {
      const p = Math.floor(key / nS), s = key % nS;
      if (state.principal && rowLower[p].indexOf(state.principal) < 0) continue;
      if (state.action && serviceText[s].indexOf(state.action) < 0) continue;
      if (!groupMatches(key, counts)) continue;
      shown++; shownCells += counts[C_CELLS];
      rowSet.add(p); colSet.add(s);
    }
    // Rows and services arrive ordered (drift and failures first); keep that order.
    rows = [...rowSet].sort((x, y) => x - y);
    cols = [...colSet].sort((x, y) => x - y);
    state.rpage = Math.min(state.rpage, Math.max(0, Math.ceil(rows.length / ROWS) - 1));
    state.cpage = Math.min(state.cpage, Math.max(0, Math.ceil(cols.length / COLS) - 1));
  }

  function worst(counts) { return counts[C_ERROR] ? "error" : counts[C_FAILED] ? "failed" : "passed"; }
  function decisionLetter(counts) {
    if (counts[C_ALLOWED] && counts[C_DENIED]) return "A/D";
    return counts[C_ALLOWED] ? "A" : counts[C_DENIED] ? "D" : "";
  }
  function countsText(counts) {
    return counts[C_CELLS] + " cell(s): " + counts[C_ALLOWED] + " allowed, " + counts[C_DENIED] + " denied, " +
      counts[C_FAILED] + " failed, " + counts[C_ERROR] + " errors, " + counts[C_CHANGED] + " changed";
  }
  function driftKinds(key) {
    return [...new Set((HELD.get(key) || []).filter((c) => c.drift_is_change).map((c) => c.drift))];
  }

  function renderMatrix() {
    const table = $("matrix");
    const r0 = state.rpage * ROWS, c0 = state.cpage * COLS;
    const vr = rows.slice(r0, r0 + ROWS), vc = cols.slice(c0, c0 + COLS);
    const head = el("tr", null, [el("th", { cls: "corner", text: "principal \\ service" })]);
    for (const s of vc) head.appendChild(el("th", { scope: "col", title: DATA.services[s] }, [el("div", { text: DATA.services[s] })]));
    const tbody = el("tbody");
    for (const p of vr) {
      const tr = el("tr", null, [el("th", { scope: "row", title: DATA.rows[p], text: DATA.rows[p] })]);
      for (const s of vc) {
        const key = p * nS + s, counts = GROUPS.get(key);
        if (!counts || !groupMatches(key, counts)) { tr.appendChild(el("td", { cls: "empty" })); continue; }
        const w = worst(counts), bad = counts[C_FAILED] + counts[C_ERROR];
        const kinds = driftKinds(key);
        const b = el("button", { type: "button", cls: "c " + w + (state.sel === key ? " sel" : ""),
          "data-p": p, "data-s": s, "data-outcome": w,
          "aria-label": DATA.rows[p] + " " + DATA.services[s] + ": " + countsText(counts),
          title: DATA.services[s] + "\n" + countsText(counts) },
          [GLYPH[w], el("span", { cls: "n", text: String(bad || counts[C_CELLS]) }), el("span", { cls: "dec", text: decisionLetter(counts) })]);
        if (counts[C_CHANGED]) {
          const k = kinds.includes("new_access") ? "new_access" : kinds.includes("lost_access") ? "lost_access" : "other";
          b.appendChild(el("span", { cls: "d " + k, text: kinds.map((x) => DRIFT_GLYPH[x]).join("") || "~" }));
        }
        tr.appendChild(el("td", null, [b]));
      }
      tbody.appendChild(tr);
    }
    table.replaceChildren(el("thead", null, [head]), tbody);
    $("status").textContent = "Showing " + shownCells + " of " + DATA.counts.cells + " cells · " + rows.length + " principals × " + cols.length + " services";
    renderPager();
  }

  function pagerGroup(label, page, size, total, key) {
    const pages = Math.max(1, Math.ceil(total / size));
    const span = el("span", null, [label + " " + (total ? page * size + 1 : 0) + "–" + Math.min(total, (page + 1) * size) + " of " + total + " "]);
    const prev = el("button", { type: "button", text: "‹" }); prev.disabled = page <= 0;
    const next = el("button", { type: "button", text: "›" }); next.disabled = page >= pages - 1;
    prev.onclick = () => { state[key] = page - 1; renderMatrix(); writeUrl(); };
    next.onclick = () => { state[key] = page + 1; renderMatrix(); writeUrl(); };
    span.append(prev, next);
    return span;
  }
  function renderPager() {
    $("pager").replaceChildren(
      pagerGroup("Principals", state.rpage, ROWS, rows.length, "rpage"),
      el("span", { text: " · " }),
      pagerGroup("Services", state.cpage, COLS, cols.length, "cpage"));
  }

  // ---- detail panel --------------------------------------------------------------------------
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
    sec.appendChild(el("h3", { text: (GLYPH[c.outcome] || "") + " " + c.outcome + " — " + c.action + " — " + c.resource }));
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
    if (c.covers && c.covers.length) dlRow(dl, "covers", c.covers.length + ": " + c.covers.slice(0, 20).join(", ") + (c.covers.length > 20 ? ", … (report.json lists every one)" : ""));
    sec.appendChild(dl);
    if (c.fix) sec.appendChild(fixBlock(c.fix));
    if (c.advisory) sec.appendChild(el("div", { cls: "advisory" }, [el("strong", { text: "Advisory: " }), c.advisory]));
    if (c.error) sec.appendChild(el("div", { cls: "errbox" }, [el("strong", { text: "Error: " }), c.error]));
    for (const w of c.warnings) sec.appendChild(el("p", { cls: "muted", text: "Warning: " + w }));
    if (c.other && Object.keys(c.other).length) sec.appendChild(el("p", { cls: "muted", text: "Other backend: " + JSON.stringify(c.other) }));
    if (c.explanation.length) {
      sec.appendChild(el("h4", { text: "Explanation" }));
      sec.appendChild(el("ol", null, c.explanation.map((x) => el("li", { text: x }))));
    } else if (c.compact && c.outcome === "passed") {
      sec.appendChild(el("p", { cls: "muted", text: "A passing cell's explanation is not stored: harness explain CELL_ID --run run.json recomputes it." }));
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

  // A failed cell's fix: whether it was proven first, then the JSON to paste (as text, never markup).
  function fixBlock(fix) {
    const box = el("div", { cls: "fix" });
    const state = fix.verified === true ? "verified: the cell was evaluated again with these changes and came out allowed"
      : fix.verified === false ? "NOT verified: no evaluation proved these changes unblock the cell" : "verification unknown (the run does not say)";
    box.appendChild(el("h4", { text: "Fix (" + state + ")" }));
    if (fix.note) box.appendChild(el("p", { cls: fix.verified === true ? "muted" : "advisory", text: "Note: " + fix.note }));
    const pre = el("pre", { cls: "fix-json", text: JSON.stringify(fix, null, 2) });
    const copy = el("button", { type: "button", text: "Copy JSON" });
    copy.addEventListener("click", () => {
      const done = (ok) => { copy.textContent = ok ? "Copied" : "Select the text below to copy it"; };
      try { navigator.clipboard.writeText(pre.textContent).then(() => done(true), () => done(false)); } catch (e) { done(false); }
    });
    box.append(copy, pre);
    return box;
  }
  function fixState(c) { return !c.fix ? "" : c.fix.verified === true ? "verified" : "not verified"; }

  function moreButton(label, onclick) {
    const b = el("button", { type: "button", text: label });
    b.onclick = onclick;
    return b;
  }

  // The other cells of a group: a table, a page at a time; a row opens its full section.
  function lineTable(numbers, openId) {
    const wrap = el("div");
    const tbody = el("tbody");
    const table = el("table", { cls: "list" }, [el("thead", null, [el("tr", null, ["action", "resource", "decision", "expected", "outcome"].map((h) => el("th", { text: h })))]), tbody]);
    const more = el("div", { cls: "pager" });
    let shownRows = 0;
    function addRows(limit) {
      for (; shownRows < Math.min(numbers.length, limit); shownRows++) {
        const c = lineCell(numbers[shownRows]);
        const tr = el("tr", { cls: "click", "data-cell-id": c.id }, [el("td", { text: c.action }), el("td", { text: c.resource }), el("td", { text: c.effective }), el("td", { text: c.expected }), el("td", { text: (GLYPH[c.outcome] || "") + " " + c.outcome + (c.drift ? " (" + c.drift_label + ")" : "") })]);
        tr.onclick = () => toggleRow(tr, c);
        tbody.appendChild(tr);
        if (openId && c.id === openId) toggleRow(tr, c);
      }
      more.replaceChildren();
      if (shownRows < numbers.length) more.appendChild(moreButton("Show " + Math.min(LIST_PAGE, numbers.length - shownRows) + " more of " + (numbers.length - shownRows), () => addRows(shownRows + LIST_PAGE)));
    }
    function toggleRow(tr, c) {
      const next = tr.nextSibling;
      if (next && next.classList.contains("sub")) { next.remove(); tr.classList.remove("open"); return; }
      tr.classList.add("open");
      const sub = el("tr", { cls: "sub" }, [el("td", { cls: "sub", colspan: "5" }, [cellSection(c)])]);
      tr.after(sub);
    }
    let limit = LIST_PAGE;
    if (openId) { const at = numbers.findIndex((n) => decode(n).ids[n] === openId); if (at >= 0) limit = Math.max(limit, at + 1); }
    addRows(limit);
    wrap.append(table, more);
    return wrap;
  }

  function showGroup(p, s, cellId) {
    const key = p * nS + s, counts = GROUPS.get(key);
    if (!counts) return;
    state.sel = key;
    const panel = $("detail");
    const close = el("button", { type: "button", cls: "close", text: "Close ✕" });
    close.onclick = hideDetail;
    const children = [close, el("h2", { text: DATA.rows[p] }), el("p", null, [el("code", { text: DATA.services[s] }), " · " + countsText(counts)])];
    const held = HELD.get(key) || [];
    if (held.length) {
      children.push(el("h3", { text: "Not as expected, or changed (" + held.length + ")" }));
      const box = el("div");
      let n = 0;
      const add = (limit) => {
        for (; n < Math.min(held.length, limit); n++) box.appendChild(cellSection(held[n]));
        if (n < held.length) box.appendChild(moreButton("Show more of " + (held.length - n), (ev) => { ev.target.remove(); add(n + SECTION_PAGE); }));
      };
      const at = cellId ? held.findIndex((c) => c.id === cellId) : -1;
      add(Math.max(SECTION_PAGE, at + 1));
      children.push(box);
    }
    const numbers = lines().byGroup.get(key) || [];
    const rest = counts[C_CELLS] - held.length;
    if (rest > 0) {
      children.push(el("h3", { text: "Other cells (" + rest + ")" }));
      if (numbers.length) children.push(lineTable(numbers, cellId));
      if (numbers.length < rest) children.push(el("p", { cls: "muted", text: (rest - numbers.length) + " cell(s) are not in this page (size cap): see report.csv or report.json." }));
    }
    panel.replaceChildren(...children);
    panel.hidden = false;
    panel.scrollTop = 0;
    if (cellId) {
      const target = [...panel.querySelectorAll("[data-cell-id]")].find((x) => x.getAttribute("data-cell-id") === cellId);
      if (target) target.scrollIntoView();
    }
    panel.focus();
    renderMatrix();
  }
  function showCell(c) { if (c) showGroup(c.t, c.s, c.id); }
  function hideDetail() { $("detail").hidden = true; state.sel = null; renderMatrix(); }

  // ---- lists above the matrix: drift, failures, files not loaded --------------------------------
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
      const tr = el("tr", { cls: "click" }, [
        el("td", null, [el("span", { cls: "badge " + (ch.kind === "new_access" ? "b-new" : ch.kind === "lost_access" ? "b-lost" : "b-err"), text: DRIFT_GLYPH[ch.kind] }), " " + ch.kind.replace("_", " ")]),
        el("td", { text: ch.principal }), el("td", { text: ch.action }), el("td", { text: ch.resource }),
        el("td", { text: ch.before || "" }), el("td", { text: ch.after || "" })]);
      tr.onclick = () => showCell(cell || findCell(ch.cell_ids[0]));
      tbody.appendChild(tr);
    }
    const more = $("drift-more");
    more.replaceChildren();
    if (changes.length > limit) more.appendChild(moreButton("Show " + Math.min(LIST_PAGE, changes.length - limit) + " more of " + (changes.length - limit), () => renderDrift(limit + LIST_PAGE)));
    if (DATA.drift.not_listed) more.appendChild(el("span", { cls: "muted", text: " " + DATA.drift.not_listed + " more changes are counted, not listed here: see report.json." }));
  }

  const FAILED = DATA.cells.filter((c) => c.outcome !== "passed");
  function renderFailures(limit) {
    if (!FAILED.length) return;
    $("failures-section").hidden = false;
    const tbody = $("failure-list").tBodies[0];
    tbody.replaceChildren();
    for (const c of FAILED.slice(0, limit)) {
      const tr = el("tr", { cls: "click" }, [el("td", { text: (GLYPH[c.outcome] || "") + " " + c.outcome }), el("td", { text: c.principal }), el("td", { text: c.action }), el("td", { text: c.resource }), el("td", { text: c.expected }), el("td", { text: c.effective }), el("td", { text: fixState(c) })]);
      tr.onclick = () => showCell(c);
      tbody.appendChild(tr);
    }
    const more = $("failures-more");
    more.replaceChildren();
    const total = DATA.counts.failed + DATA.counts.error;
    if (FAILED.length > limit) more.appendChild(moreButton("Show " + Math.min(LIST_PAGE, FAILED.length - limit) + " more of " + (FAILED.length - limit), () => renderFailures(limit + LIST_PAGE)));
    if (total > FAILED.length) more.appendChild(el("span", { cls: "muted", text: " " + (total - FAILED.length) + " more are listed in their summary cells and in report.csv." }));
  }

  // ---- readiness: one row per covered volume, sortable by any column ----------------------------
  const VERDICT_RANK = { blocked: 0, error: 1, ready: 2 };
  const VERDICT_GLYPH = { blocked: "✗", error: "!", ready: "✓" };
  const READINESS_KEYS = {
    verdict: (r) => VERDICT_RANK[r.verdict], account: (r) => r.account, region: (r) => r.region,
    volume: (r) => r.volume_id, instance: (r) => r.instance_ids.join(" "), name: (r) => r.instance_names.join(" "),
    key: (r) => r.key_arn, blocking: (r) => r.blocking_cells.length,
  };
  const readiness = { key: "verdict", dir: 1, limit: LIST_PAGE };
  // Stable: rows that tie keep the report's order (blocked first, then account, Region, volume).
  function sortedReadiness() {
    const value = READINESS_KEYS[readiness.key] || READINESS_KEYS.verdict, dir = readiness.dir;
    return DATA.readiness.rows.map((r, i) => [r, i]).sort((a, b) => {
      const x = value(a[0]), y = value(b[0]);
      const c = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
      return c ? c * dir : a[1] - b[1];
    }).map((pair) => pair[0]);
  }
  function readinessRow(r) {
    const blocking = el("td");
    r.blocking_cells.slice(0, 5).forEach((id, i) => {
      const b = el("button", { type: "button", cls: "link", text: id });
      b.addEventListener("click", () => showCell(findCell(id)));
      if (i) blocking.append(" ");
      blocking.append(b);
    });
    if (r.blocking_cells.length > 5) blocking.append(" +" + (r.blocking_cells.length - 5) + " more (readiness.csv)");
    return el("tr", null, [
      el("td", { cls: "v-" + r.verdict, text: (VERDICT_GLYPH[r.verdict] || "") + " " + r.verdict }),
      el("td", { text: r.account }), el("td", { text: r.region }), el("td", { text: r.volume_id }),
      el("td", { text: r.instance_ids.join(", ") }), el("td", { text: r.instance_names.join(", ") }),
      el("td", { text: r.key_arn }), blocking]);
  }
  function renderReadiness() {
    const R = DATA.readiness;
    if (!R) return;
    $("readiness-section").hidden = false;
    $("readiness-counts").textContent = R.rows.length + " volumes: " + R.counts.blocked + " blocked, " + R.counts.error + " error, " + R.counts.ready + " ready.";
    for (const th of $("readiness-list").tHead.rows[0].cells) {
      const b = th.querySelector("button.sort");
      const on = b && b.getAttribute("data-sort") === readiness.key;
      th.setAttribute("aria-sort", on ? (readiness.dir > 0 ? "ascending" : "descending") : "none");
    }
    const rows = sortedReadiness();
    $("readiness-list").tBodies[0].replaceChildren(...rows.slice(0, readiness.limit).map(readinessRow));
    const more = $("readiness-more");
    more.replaceChildren();
    if (rows.length > readiness.limit) more.appendChild(moreButton("Show " + Math.min(LIST_PAGE, rows.length - readiness.limit) + " more of " + (rows.length - readiness.limit), () => { readiness.limit += LIST_PAGE; renderReadiness(); }));
  }
  $("readiness-list").tHead.addEventListener("click", (ev) => {
    const b = ev.target.closest("button.sort");
    if (!b) return;
    const key = b.getAttribute("data-sort");
    readiness.dir = readiness.key === key ? -readiness.dir : 1;
    readiness.key = key;
    renderReadiness();
  });

  function renderErrors() {
    if (!DATA.errors.length) return;
    $("errors-section").hidden = false;
    const tbody = $("error-list").tBodies[0];
    for (const e of DATA.errors.slice(0, 1000)) tbody.appendChild(el("tr", null, [el("td", { text: e.file || "" }), el("td", { text: String(e.line || "") }), el("td", { text: e.field || "" }), el("td", { text: e.message || "" })]));
  }

  // ---- filters and the URL ---------------------------------------------------------------------
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
    return q;
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
    if (b) showGroup(Number(b.getAttribute("data-p")), Number(b.getAttribute("data-s")));
  });
  document.addEventListener("keydown", (ev) => { if (ev.key === "Escape" && !$("detail").hidden) hideDetail(); });
  $("principal-list").replaceChildren(...DATA.rows.slice(0, 2000).map((p) => el("option", { value: p })));
  $("action-list").replaceChildren(...DATA.services.concat(DATA.actions).slice(0, 2000).map((a) => el("option", { value: a })));

  const query = readUrl();
  recompute();
  renderDrift(LIST_PAGE);
  renderReadiness();
  renderFailures(FIRST_FAILURES);
  renderErrors();
  renderMatrix();
  const cellParam = query.get("cell");
  if (cellParam) showCell(findCell(cellParam));
  document.getElementById("filters").addEventListener("submit", (event) => event.preventDefault());
  document.body.setAttribute("data-ready", "1");
  // bench/bench_reports.py reads this from the browser's log: the time to a drawn page.
  if (query.get("timing") === "1") console.info("iam-harness report ready in " + Math.round(performance.now()) + " ms");
})();
