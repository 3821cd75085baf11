// Runs the readiness part of harness/reports/templates/report.js (from its "// ---- readiness"
// comment to renderErrors) in node, against stand-ins for the few DOM calls it makes, and prints
// the table's volume ids after drawing it and after each click on a column header.
// Arguments: the page's data (JSON), the columns clicked (JSON list), the path of report.js.
"use strict";
const fs = require("fs");
const [data, clicks, scriptPath] = process.argv.slice(process.argv.length - 3);
const DATA = JSON.parse(data);
const source = fs.readFileSync(scriptPath, "utf8");
const start = source.indexOf("  // ---- readiness");
const end = source.indexOf("  function renderErrors()");
if (start < 0 || end < start) throw new Error("readiness part of report.js not found");

function node(tag, props, children) {
  const n = { tag, props: props || {}, children: children || [], attrs: {} };
  n.textContent = n.props.text || "";
  n.append = (...c) => n.children.push(...c);
  n.appendChild = (c) => n.children.push(c);
  n.replaceChildren = (...c) => { n.children = c; };
  n.addEventListener = () => {};
  n.getAttribute = (k) => (k in n.props ? n.props[k] : null);
  n.setAttribute = (k, v) => { n.attrs[k] = v; };
  return n;
}
const COLUMNS = ["verdict", "account", "region", "volume", "instance", "name", "key", "blocking"];
const headers = COLUMNS.map((key) => {
  const button = node("button", { cls: "sort", "data-sort": key });
  const th = node("th");
  th.querySelector = () => button;
  return { th, button };
});
let onHeaderClick = null;
const tbody = node("tbody");
const elements = {
  "readiness-list": {
    tHead: { rows: [{ cells: headers.map((h) => h.th) }], addEventListener: (type, f) => { onHeaderClick = f; } },
    tBodies: [tbody],
  },
  "readiness-section": node("div"),
  "readiness-counts": node("span"),
  "readiness-more": node("div"),
};
const $ = (id) => elements[id];
const el = node;
const LIST_PAGE = 100;
const moreButton = (label) => node("button", { text: label });
const showCell = () => {};
const findCell = () => null;

const shown = [];
const record = () => shown.push(tbody.children.map((tr) => tr.children[3].textContent));
// A click as the browser delivers it: the header's listener finds the button it was on.
const click = (key) => {
  const { button } = headers.find((h) => h.button.props["data-sort"] === key);
  onHeaderClick({ target: { closest: () => button } });
};
const body = source.slice(start, end) + "\nrenderReadiness(); record();\nfor (const key of clicks) { click(key); record(); }";
new Function("DATA", "$", "el", "LIST_PAGE", "moreButton", "showCell", "findCell", "record", "click", "clicks", body)(
  DATA, $, el, LIST_PAGE, moreButton, showCell, findCell, record, click, JSON.parse(clicks));
process.stdout.write(JSON.stringify(shown));
