// kamflow serve: the index and process pages. Served as a file (the CSP allows no inline script);
// everything from a process file reaches the page as text (textContent), and the chart's SVG is
// parsed as XML and stripped of scripts, event handlers and non-web links before it is shown.
"use strict";

(function () {
  const params = new URLSearchParams(location.search);
  const TOKEN = params.get("token") || "";
  const $ = (id) => document.getElementById(id);
  const SVG_NS = "http://www.w3.org/2000/svg";
  const XLINK_NS = "http://www.w3.org/1999/xlink";

  function api(path, query) {
    const q = new URLSearchParams(query || {});
    q.set("token", TOKEN);
    return path + "?" + q.toString();
  }

  async function getJSON(path, query) {
    const response = await fetch(api(path, query), { cache: "no-store" });
    let body = null;
    try { body = await response.json(); } catch (e) { body = { error: response.status + " " + response.statusText }; }
    if (!response.ok) throw new Error(body.error || response.statusText);
    return body;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (key === "class") node.className = value;
      else if (key === "text") node.textContent = value;
      else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child == null) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function position(item) {
    return item.line ? `${item.line}:${item.column}` : "";
  }

  // ---- live updates: one event stream per page ---------------------------------------------------
  function live(onChange) {
    const badge = $("live");
    const source = new EventSource(api("/events"));
    let first = true;
    source.addEventListener("hello", () => {
      badge.classList.remove("off"); badge.textContent = "live";
      if (!first) onChange(); // reconnected: something may have changed meanwhile
      first = false;
    });
    source.addEventListener("change", () => onChange());
    source.onerror = () => { badge.classList.add("off"); badge.textContent = "offline"; };
  }

  // ---- index page ----------------------------------------------------------------------------------
  async function indexPage() {
    const config = await getJSON("/api/config");
    $("folder").textContent = config.root;
    async function refresh() {
      const data = await getJSON("/api/index");
      const body = document.querySelector("#processes tbody");
      body.replaceChildren();
      for (const row of data.rows) {
        const link = el("a", { href: api("/p/" + row.path.split("/").map(encodeURIComponent).join("/")) }, row.path);
        if (row.ok) {
          body.append(el("tr", {},
            el("td", {}, link),
            el("td", {}, row.title),
            el("td", { class: "num" }, row.steps),
            el("td", { class: "num " + (row.errors ? "bad" : "zero") }, row.errors),
            el("td", { class: "num " + (row.warnings ? "warn" : "zero") }, row.warnings)));
        } else {
          const where = row.first.line ? `${row.first.line}:${row.first.column}: ` : "";
          body.append(el("tr", {},
            el("td", {}, link),
            el("td", { colspan: "4", class: "problem" }, `does not load — ${where}${row.first.message}` + (row.problems > 1 ? ` (+${row.problems - 1} more)` : ""))));
        }
      }
      $("empty").hidden = data.rows.length > 0;
    }
    live(() => refresh().catch(console.warn));
    await refresh();
  }

  // ---- process page --------------------------------------------------------------------------------
  const state = {
    path: decodeURIComponent(location.pathname.replace(/^\/p\//, "")),
    view: null, steps: {}, seq: 0, shown: 0,
    zoom: { scale: 1, x: 0, y: 0 }, userMoved: false,
    source: null, // {text, hash} the editor loaded
    selected: null,
  };

  function options() {
    return {
      theme: $("opt-theme").value,
      direction: $("opt-direction").value,
      number: $("opt-number").checked ? "1" : "0",
      legend: $("opt-legend").checked ? "1" : "0",
      critical: $("opt-critical").checked ? "1" : "0",
      ghosts: $("opt-ghosts").checked ? "1" : "0",
    };
  }

  function rememberOptions() {
    const q = new URLSearchParams(options());
    q.set("token", TOKEN);
    history.replaceState(null, "", location.pathname + "?" + q.toString());
    updateDownloads();
  }

  function updateDownloads(formats) {
    if (formats) state.formats = formats;
    const names = { svg: "Chart as SVG", pdf: "Chart as PDF", png: "Chart as PNG", pptx: "Chart as PowerPoint (PPTX)",
                    html: "Report as HTML", docx: "Report as Word (DOCX)" };
    const box = $("download-links");
    box.replaceChildren();
    for (const fmt of state.formats || []) {
      box.append(el("a", { href: api("/download", { path: state.path, format: fmt, ...options() }), download: "", "data-format": fmt }, names[fmt] || fmt.toUpperCase()));
    }
  }

  // The chart's SVG as nodes: parsed as XML (never as HTML), without anything that could run.
  function chartNode(svgText) {
    const doc = new DOMParser().parseFromString(svgText, "image/svg+xml");
    const svg = doc.documentElement;
    if (!svg || svg.namespaceURI !== SVG_NS || doc.querySelector("parsererror")) return null;
    for (const bad of svg.querySelectorAll("script, foreignObject, iframe, object, embed")) bad.remove();
    for (const node of svg.querySelectorAll("*")) {
      for (const attr of Array.from(node.attributes)) {
        const name = attr.name.toLowerCase();
        if (name.startsWith("on")) node.removeAttribute(attr.name);
        if ((name === "href" || name === "xlink:href") && !/^(https?:|mailto:|[\w.-]+\.(svg|pdf)$|#)/i.test(attr.value.trim())) node.removeAttributeNode(attr);
      }
    }
    // the page shows its own card on hover; the browser's tooltips from <title> would cover it
    for (const title of svg.querySelectorAll("g.node title, g.edge title")) title.remove();
    const box = (svg.getAttribute("viewBox") || "").split(/[\s,]+/).map(Number);
    if (box.length === 4 && box.every(Number.isFinite)) {
      svg.setAttribute("width", String(box[2]));
      svg.setAttribute("height", String(box[3]));
    }
    return document.importNode(svg, true);
  }

  function applyZoom() {
    const z = state.zoom;
    $("chart").style.transform = `translate(${z.x}px, ${z.y}px) scale(${z.scale})`;
  }

  function chartSize() {
    const svg = $("chart").querySelector("svg");
    if (!svg) return null;
    return { w: Number(svg.getAttribute("width")) || 1, h: Number(svg.getAttribute("height")) || 1 };
  }

  function fit(widthOnly) {
    const size = chartSize();
    if (!size) return;
    const vp = $("viewport").getBoundingClientRect();
    const margin = 16;
    let scale = (vp.width - 2 * margin) / size.w;
    if (!widthOnly) scale = Math.min(scale, (vp.height - 2 * margin) / size.h);
    // fitting the width never shrinks the text past legibility: a wide chart is then panned
    scale = widthOnly ? Math.max(0.45, Math.min(scale, 1.25)) : Math.max(0.05, Math.min(scale, 4));
    state.zoom = { scale, x: Math.max(margin, (vp.width - size.w * scale) / 2), y: margin };
    if (!widthOnly) state.zoom.y = Math.max(margin, (vp.height - size.h * scale) / 2);
    applyZoom();
  }

  function zoomAt(factor, cx, cy) {
    state.userMoved = true;
    const z = state.zoom;
    const scale = Math.max(0.05, Math.min(z.scale * factor, 8));
    const k = scale / z.scale;
    state.zoom = { scale, x: cx - (cx - z.x) * k, y: cy - (cy - z.y) * k };
    applyZoom();
  }

  function setupPanZoom() {
    const vp = $("viewport");
    vp.addEventListener("wheel", (event) => {
      event.preventDefault();
      const r = vp.getBoundingClientRect();
      zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - r.left, event.clientY - r.top);
    }, { passive: false });
    let drag = null;
    vp.addEventListener("pointerdown", (event) => {
      if (event.button !== 0) return;
      drag = { x: event.clientX, y: event.clientY, zx: state.zoom.x, zy: state.zoom.y, moved: false };
    });
    window.addEventListener("pointermove", (event) => {
      if (!drag) return;
      const dx = event.clientX - drag.x, dy = event.clientY - drag.y;
      if (!drag.moved && Math.hypot(dx, dy) < 4) return;
      drag.moved = true;
      state.userMoved = true;
      vp.classList.add("panning");
      state.zoom.x = drag.zx + dx; state.zoom.y = drag.zy + dy;
      applyZoom();
    });
    window.addEventListener("pointerup", () => {
      if (drag && drag.moved) state.justPanned = true;
      drag = null; vp.classList.remove("panning");
      setTimeout(() => { state.justPanned = false; }, 0);
    });
    // the pane changes size (editor opened or closed, window resized): keep what was in the middle there
    let last = vp.getBoundingClientRect();
    new ResizeObserver(() => {
      const now = vp.getBoundingClientRect();
      if (!now.width || !last.width) { last = now; return; }
      if (!state.userMoved) { last = now; fit(true); return; } // not zoomed by hand: fit the new width
      state.zoom.x += (now.width - last.width) / 2;
      state.zoom.y += (now.height - last.height) / 2;
      last = now;
      applyZoom();
    }).observe(vp);
    const center = () => { const r = vp.getBoundingClientRect(); return [r.width / 2, r.height / 2]; };
    $("zoom-in").addEventListener("click", () => zoomAt(1.25, ...center()));
    $("zoom-out").addEventListener("click", () => zoomAt(0.8, ...center()));
    $("zoom-fit").addEventListener("click", () => { fit(false); state.userMoved = true; });
  }

  function stepOf(target) {
    const group = target.closest && target.closest("g.node");
    if (!group || !group.id) return null;
    return group.id.startsWith("step-") ? group.id.slice(5) : null;
  }

  function setupChartEvents() {
    const chart = $("chart");
    chart.addEventListener("click", (event) => {
      const link = event.target.closest("a");
      if (link) event.preventDefault(); // the chart's own links point at files beside an exported chart
      if (state.justPanned) return;
      const id = stepOf(event.target);
      const step = id && state.steps[id];
      if (step && step.page) {
        location.href = api("/p/" + step.page.split("/").map(encodeURIComponent).join("/"), options());
        return;
      }
      if (link) {
        const href = (link.getAttribute("href") || link.getAttributeNS(XLINK_NS, "href") || "").trim();
        if (/^(https?:|mailto:)/i.test(href)) window.open(href, "_blank", "noopener,noreferrer");
      }
    });
    chart.addEventListener("mousemove", (event) => {
      const id = stepOf(event.target);
      if (!id || !state.steps[id]) { hideCard(); return; }
      showCard(state.steps[id], event.clientX, event.clientY);
    });
    chart.addEventListener("mouseleave", hideCard);
  }

  function showCard(step, x, y) {
    const card = $("card");
    if (card.dataset.step !== step.id) {
      card.dataset.step = step.id;
      const rows = el("dl");
      const add = (name, value) => {
        if (value == null || value === "" || (Array.isArray(value) && !value.length)) return;
        let shown;
        if (Array.isArray(value)) shown = el("ul", {}, ...value.map((v) => el("li", {}, typeof v === "object" ? JSON.stringify(v) : v)));
        else if (typeof value === "object") shown = el("ul", {}, ...Object.entries(value).map(([k, v]) => el("li", {}, `${k}: ${Array.isArray(v) ? v.join(", ") : v}`)));
        else shown = String(value);
        rows.append(el("dt", {}, name), el("dd", {}, shown));
      };
      add("lane", step.lane);
      const meta = step.metadata || {};
      const labels = { owner: "owner", duration: "duration", kpis: "KPIs", inputs: "inputs", outputs: "outputs", raci: "RACI", notes: "notes", link: "link", tags: "tags" };
      for (const key of Object.keys(labels)) add(labels[key], meta[key]);
      for (const [key, value] of Object.entries(meta)) if (!(key in labels)) add(key, value);
      if (step.essential) add("essential", "yes");
      add("implements", step.implements);
      if (step.type === "subprocess") add("process", step.process);
      card.replaceChildren(...[
        el("h3", {}, step.label),
        el("div", { class: "kind" }, `${step.type} · ${step.id}`),
        rows,
        step.line ? el("div", { class: "source" }, `${state.path}:${step.line}  ${step.source.trim()}`) : null,
        step.page ? el("div", { class: "hint" }, `Click to open ${step.page}`) : null,
      ].filter(Boolean));
    }
    card.hidden = false;
    const w = card.offsetWidth, h = card.offsetHeight;
    let left = x + 16, top = y + 16;
    if (left + w > innerWidth - 8) left = x - w - 16;
    if (top + h > innerHeight - 8) top = Math.max(8, innerHeight - h - 8);
    card.style.left = left + "px"; card.style.top = top + "px";
  }

  function hideCard() { const card = $("card"); card.hidden = true; card.dataset.step = ""; }

  function highlight(finding, item) {
    for (const old of document.querySelectorAll(".kf-highlight")) old.classList.remove("kf-highlight");
    for (const old of document.querySelectorAll("#findings li.selected")) old.classList.remove("selected");
    if (item) item.classList.add("selected");
    state.selected = finding ? `${finding.rule}|${finding.step}|${finding.line}|${finding.column}` : null;
    if (!finding) return;
    const chart = $("chart");
    const target = (finding.step && chart.querySelector(`[id="step-${CSS.escape(finding.step)}"]`))
      || (finding.reference_step && chart.querySelector(`[id="ghost-${CSS.escape(finding.reference_step)}"]`));
    if (!target) return;
    target.classList.add("kf-highlight");
    // bring it into view, keeping the zoom
    const vp = $("viewport").getBoundingClientRect();
    const box = target.getBoundingClientRect();
    if (box.left < vp.left || box.right > vp.right || box.top < vp.top || box.bottom > vp.bottom) {
      state.zoom.x += (vp.left + vp.width / 2) - (box.left + box.width / 2);
      state.zoom.y += (vp.top + vp.height / 2) - (box.top + box.height / 2);
      state.userMoved = true;
      applyZoom();
    }
    if (state.editorOpen && finding.line) goToLine(finding.line, finding.column);
  }

  function renderFindings(view) {
    const list = $("findings");
    list.replaceChildren();
    const errors = view.findings.filter((f) => f.severity === "error").length;
    const warnings = view.findings.length - errors;
    $("counts").replaceChildren(
      el("span", { class: "errors" }, `${errors} error${errors === 1 ? "" : "s"}`),
      el("span", { class: "warnings" }, `${warnings} warning${warnings === 1 ? "" : "s"}`));
    let again = null;
    for (const finding of view.findings) {
      const item = el("li", { class: "finding " + finding.severity, tabindex: "0", "data-step": finding.step || "" },
        el("span", { class: "pos" }, position(finding)),
        el("span", { class: "sev" }, finding.severity),
        finding.message,
        el("span", { class: "rule" }, finding.rule));
      item.addEventListener("click", () => highlight(finding, item));
      item.addEventListener("keydown", (event) => { if (event.key === "Enter") highlight(finding, item); });
      list.append(item);
      if (state.selected === `${finding.rule}|${finding.step}|${finding.line}|${finding.column}`) again = [finding, item];
    }
    $("no-findings").hidden = view.findings.length > 0;
    $("warnings").replaceChildren(...(view.warnings || []).map((w) => el("p", {}, w)));
    if (again) highlight(...again);
  }

  function showErrors(errors, title) {
    $("banner-title").textContent = title || "This file does not load";
    const list = $("banner-errors");
    list.replaceChildren();
    for (const error of errors) {
      const where = error.line ? `${error.path}:${error.line}:${error.column}: ` : (error.path ? `${error.path}: ` : "");
      const item = el("li", {}, `${where}error: ${error.message}`);
      if (error.line) item.addEventListener("click", () => { openEditor().then(() => goToLine(error.line, error.column)); });
      list.append(item);
    }
    $("banner").hidden = false;
    $("chart").classList.add("stale");
    $("findings-pane").classList.add("stale"); // the findings of the last chart that loaded
    $("placeholder").hidden = !!$("chart").firstChild;
    $("placeholder").textContent = "No chart yet: the file has not loaded since this page opened.";
  }

  async function refresh() {
    const seq = ++state.seq;
    let view;
    try {
      view = await getJSON("/api/view", { path: state.path, ...options() });
    } catch (error) {
      if (seq < state.shown) return;
      state.shown = seq;
      showErrors([{ path: "", line: 0, column: 0, message: error.message }], "The chart could not be drawn");
      return;
    }
    if (seq < state.shown) return; // a newer answer is already on screen
    state.shown = seq;
    if (!view.ok) { showErrors(view.errors); return; }
    const node = chartNode(view.svg);
    if (!node) { showErrors([{ path: "", line: 0, column: 0, message: "the chart is not valid SVG" }], "The chart could not be drawn"); return; }
    state.view = view; state.steps = view.steps;
    $("chart").replaceChildren(node);
    $("chart").classList.remove("stale");
    $("findings-pane").classList.remove("stale");
    for (const id of Object.keys(view.steps)) {
      if (view.steps[id].page) {
        const group = node.querySelector(`[id="step-${CSS.escape(id)}"]`);
        if (group) group.classList.add("has-page");
      }
    }
    $("banner").hidden = true;
    $("placeholder").hidden = true;
    $("title").textContent = view.title;
    document.title = `${view.title} — kamflow`;
    if (!state.userMoved) fit(true); // until the user zooms or pans, the chart fills the pane's width
    renderFindings(view);
    if (state.editorOpen && !state.dirty && state.source && view.hash !== state.source.hash) loadSource();
    else if (state.editorOpen && state.dirty && state.source && view.hash !== state.source.hash) {
      status("The file changed on disk since you loaded it. Saving now would be refused: reload it from disk (copy your changes first).", "refused");
    }
    document.body.dataset.version = String(view.version);
  }

  // ---- editor pane ---------------------------------------------------------------------------------
  function status(text, kind) {
    const box = $("save-status");
    box.textContent = text;
    box.className = "status " + (kind || "");
  }

  async function loadSource() {
    const source = await getJSON("/api/source", { path: state.path });
    state.source = source;
    $("editor").value = source.text;
    state.dirty = false;
  }

  async function openEditor() {
    if (state.editorOpen) return;
    state.editorOpen = true;
    $("editor-pane").hidden = false;
    $("edit-toggle").setAttribute("aria-pressed", "true");
    $("editor-file").textContent = state.path;
    status("", "");
    await loadSource();
  }

  function closeEditor() {
    if (state.dirty && !confirm("Close the editor and drop the changes you have not saved?")) return;
    state.editorOpen = false; state.dirty = false;
    $("editor-pane").hidden = true;
    $("edit-toggle").setAttribute("aria-pressed", "false");
  }

  function goToLine(line, column) {
    const area = $("editor");
    const lines = area.value.split("\n");
    let offset = 0;
    for (let i = 0; i < Math.min(line - 1, lines.length); i++) offset += lines[i].length + 1;
    offset += Math.max(0, (column || 1) - 1);
    area.focus();
    area.setSelectionRange(offset, offset);
    const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 18;
    area.scrollTop = Math.max(0, (line - 5) * lineHeight);
  }

  async function save() {
    if (!state.source) return;
    status("Saving…", "");
    let response, body;
    try {
      response = await fetch(api("/api/save"), {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-Kamflow-Token": TOKEN },
        body: JSON.stringify({ path: state.path, text: $("editor").value, hash: state.source.hash }),
      });
      body = await response.json();
    } catch (error) {
      status("Not saved: " + error.message, "refused");
      return;
    }
    if (!response.ok) { status("Not saved: " + body.error, "refused"); return; }
    state.source = { text: $("editor").value, hash: body.hash };
    state.dirty = false;
    status(`Saved ${body.saved}.`, "ok");
    await refresh();
    if (state.view && $("banner").hidden === false) status(`Saved ${body.saved}, but it does not load now: the errors are above the chart (click one to go to its line).`, "refused");
  }

  async function processPage() {
    const config = await getJSON("/api/config");
    const themes = $("opt-theme");
    themes.append(el("option", { value: "" }, "as in file"));
    for (const name of config.themes) themes.append(el("option", { value: name }, name));
    const given = (key, fallback) => (params.has(key) ? params.get(key) : fallback);
    const flag = (key, fallback) => (params.has(key) ? params.get(key) === "1" : fallback);
    themes.value = given("theme", config.defaults.theme);
    if (themes.selectedIndex < 0) themes.value = "";
    $("opt-direction").value = given("direction", config.defaults.direction);
    $("opt-number").checked = flag("number", config.defaults.number);
    $("opt-legend").checked = flag("legend", config.defaults.legend);
    $("opt-critical").checked = flag("critical", config.defaults.critical);
    $("opt-ghosts").checked = flag("ghosts", config.defaults.ghosts);
    $("path").textContent = state.path;
    $("home").href = api("/");
    updateDownloads(config.downloads);
    for (const id of ["opt-theme", "opt-direction", "opt-number", "opt-legend", "opt-critical", "opt-ghosts"]) {
      $(id).addEventListener("change", () => { rememberOptions(); refresh(); });
    }
    setupPanZoom();
    setupChartEvents();
    $("edit-toggle").addEventListener("click", () => (state.editorOpen ? closeEditor() : openEditor()));
    $("save").addEventListener("click", save);
    $("reload").addEventListener("click", () => loadSource().then(() => status("Reloaded from disk.", "ok")));
    $("editor").addEventListener("input", () => { state.dirty = true; });
    $("editor").addEventListener("keydown", (event) => {
      if ((event.ctrlKey || event.metaKey) && event.key === "s") { event.preventDefault(); save(); }
      if (event.key === "Tab") { event.preventDefault(); document.execCommand("insertText", false, "  "); }
    });
    document.addEventListener("click", (event) => {
      const menu = $("downloads");
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
    live(() => refresh());
    await refresh();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const page = document.body.dataset.page;
    (page === "index" ? indexPage() : processPage()).catch((error) => console.warn("kamflow serve:", error.message));
  });
})();
