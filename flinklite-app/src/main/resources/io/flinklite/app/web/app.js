// FlinkLite web UI: polls the read-only JSON API every 2 s and renders it with plain DOM and SVG.
// Every value is inserted with textContent, never as HTML, so nothing a record carries can run as script.
"use strict";

const REFRESH_MS = 2000;
const SVG = "http://www.w3.org/2000/svg";
const COLORS = ["#2f6db3", "#c0392b", "#2e8b57", "#8e44ad", "#d68910", "#16a085", "#7f8c8d", "#b03a6f"];

function el(tag, attrs, text) {
  const e = tag.startsWith("svg:") ? document.createElementNS(SVG, tag.slice(4)) : document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}
const num = n => (n === null || n === undefined) ? "–" : Number(n).toLocaleString("en-US");
// A result's value as people read it: at most 6 decimals (the API and the output topic keep every digit).
const value = v => typeof v === "number" ? v.toLocaleString("en-US", {maximumFractionDigits: 6}) : String(v);
const rate = r => (r === null || r === undefined) ? "" : Number(r).toLocaleString("en-US", {maximumFractionDigits: 1}) + "/s";
function time(ms) {
  if (ms === null || ms === undefined) return "–";
  return new Date(ms).toISOString().slice(11, 23);
}
function dateTime(ms) {
  if (ms === null || ms === undefined) return "–";
  return new Date(ms).toISOString().replace("T", " ").slice(0, 23) + "Z";
}
function bytes(n) {
  if (n === null || n === undefined) return "–";
  const units = ["B", "KiB", "MiB", "GiB"];
  let i = 0, v = n;
  while (v >= 1024 && i < units.length - 1) { v /= 1024; i++; }
  return (i === 0 ? v : v.toFixed(1)) + " " + units[i];
}
function fillRows(tbody, rows) {
  tbody.replaceChildren(...rows);
}
function kvRows(tableId, pairs) {
  fillRows(document.querySelector("#" + tableId + " tbody"),
    pairs.map(([k, v]) => { const tr = el("tr", {"data-key": k}); tr.append(el("td", {}, k), el("td", {}, v)); return tr; }));
}
function row(cells, attrs) {
  const tr = el("tr", attrs);
  for (const c of cells) tr.append(el("td", {}, c));
  return tr;
}

async function get(path) {
  const r = await fetch(path, {cache: "no-store"});
  if (!r.ok) throw new Error(path + " answered " + r.status);
  return r.json();
}

function renderGraph(nodes) {
  const box = document.getElementById("graph");
  const ids = new Map(nodes.map(n => [n.id, n]));
  const depth = new Map();
  const depthOf = n => {
    if (depth.has(n.id)) return depth.get(n.id);
    depth.set(n.id, 0);
    const d = n.inputs.length === 0 ? 0 : 1 + Math.max(...n.inputs.map(i => ids.has(i) ? depthOf(ids.get(i)) : 0));
    depth.set(n.id, d);
    return d;
  };
  nodes.forEach(depthOf);
  const columns = [];
  for (const n of nodes) (columns[depth.get(n.id)] = columns[depth.get(n.id)] || []).push(n);
  const W = 210, H = 70, GX = 40, GY = 14;
  const width = Math.max(1, columns.length) * (W + GX);
  const height = Math.max(1, ...columns.map(c => c.length)) * (H + GY);
  const svg = el("svg:svg", {viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": "job graph"});
  svg.style.maxHeight = height + "px";
  const defs = el("svg:defs");
  const marker = el("svg:marker", {id: "arrow", viewBox: "0 0 10 10", refX: "9", refY: "5", markerWidth: "7", markerHeight: "7", orient: "auto"});
  marker.append(el("svg:path", {d: "M0,0 L10,5 L0,10 z", fill: "#8a96a3"}));
  defs.append(marker);
  svg.append(defs);
  const pos = new Map();
  columns.forEach((col, ci) => col.forEach((n, ri) => {
    const offset = (height - col.length * (H + GY)) / 2;
    pos.set(n.id, {x: ci * (W + GX) + 4, y: offset + ri * (H + GY) + GY / 2});
  }));
  for (const n of nodes) for (const i of n.inputs) {
    const a = pos.get(i), b = pos.get(n.id);
    if (!a || !b) continue;
    const x1 = a.x + W, y1 = a.y + H / 2, x2 = b.x - 2, y2 = b.y + H / 2, mx = (x1 + x2) / 2;
    svg.append(el("svg:path", {class: "edge", d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`}));
  }
  for (const n of nodes) {
    const p = pos.get(n.id);
    const g = el("svg:g", {class: "node " + n.kind, "data-node": n.id, transform: `translate(${p.x},${p.y})`});
    g.append(el("svg:rect", {width: W, height: H, rx: 6}));
    g.append(el("svg:text", {class: "label", x: 8, y: 17}, n.label));
    const detail = n.detail.length > 34 ? n.detail.slice(0, 33) + "…" : n.detail;
    const d = el("svg:text", {class: "detail", x: 8, y: 33}, detail);
    d.append(el("svg:title", {}, n.detail));
    g.append(d);
    const io = [];
    if (n.recordsIn !== null) io.push("in " + num(n.recordsIn) + " " + rate(n.inPerSecond));
    if (n.recordsOut !== null) io.push("out " + num(n.recordsOut) + " " + rate(n.outPerSecond));
    io.forEach((t, k) => g.append(el("svg:text", {class: k === 0 && n.recordsIn !== null ? "in" : "out", x: 8, y: 49 + 14 * k,
      "data-count": k === 0 && n.recordsIn !== null ? n.recordsIn : n.recordsOut}, t)));
    svg.append(g);
  }
  box.replaceChildren(svg);
}

function renderChart(timeline, jobWatermark) {
  const box = document.getElementById("chart");
  const samples = timeline.samples;
  const W = 560, H = 220, L = 78, R = 10, T = 10, B = 26;
  const svg = el("svg:svg", {viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": "event-time progress"});
  const series = new Map();
  series.set("job", []);
  for (const s of samples) {
    if (s.watermarkMs !== null) series.get("job").push([s.timeMs, s.watermarkMs]);
    // One topic: series by partition number; several: by topic-partition, since each topic has its own partition 0.
    const byPartition = s.topicPartitions && Object.keys(s.topicPartitions).length > Object.keys(s.partitions).length
      ? s.topicPartitions : s.partitions;
    for (const [p, wm] of Object.entries(byPartition)) {
      if (wm === null) continue;
      if (!series.has(p)) series.set(p, []);
      series.get(p).push([s.timeMs, wm]);
    }
  }
  const points = [...series.values()].flat();
  if (points.length === 0) {
    svg.append(el("svg:text", {x: W / 2, y: H / 2, "text-anchor": "middle", class: "muted"}, "no watermark yet"));
    box.replaceChildren(svg);
    return;
  }
  const t0 = Math.min(...points.map(p => p[0])), t1 = Math.max(...points.map(p => p[0]), t0 + 1000);
  let w0 = Math.min(...points.map(p => p[1])), w1 = Math.max(...points.map(p => p[1]));
  // A flat line (no traffic) still gets a readable axis: at least 10 s of event time.
  if (w1 - w0 < 10000) { const pad = (10000 - (w1 - w0)) / 2; w0 -= pad; w1 += pad; }
  const x = t => L + (t - t0) / (t1 - t0) * (W - L - R);
  const y = w => T + (1 - (w - w0) / (w1 - w0)) * (H - T - B);
  const axis = el("svg:g", {class: "axis"});
  axis.append(el("svg:line", {x1: L, y1: H - B, x2: W - R, y2: H - B}), el("svg:line", {x1: L, y1: T, x2: L, y2: H - B}));
  for (let k = 0; k <= 3; k++) {
    const wv = w0 + (w1 - w0) * k / 3, tv = t0 + (t1 - t0) * k / 3;
    axis.append(el("svg:text", {x: L - 4, y: y(wv) + 4, "text-anchor": "end"}, time(wv).slice(0, 8)));
    axis.append(el("svg:text", {x: x(tv), y: H - 8, "text-anchor": "middle"}, time(tv).slice(0, 8)));
  }
  svg.append(axis);
  let c = 0;
  const legend = el("svg:g", {class: "legend"});
  for (const [name, pts] of series) {
    if (pts.length === 0) continue;
    const color = name === "job" ? "#1d232b" : COLORS[c++ % COLORS.length];
    const last = pts[pts.length - 1];
    svg.append(el("svg:polyline", {class: "line", stroke: color, "stroke-dasharray": name === "job" ? "5,3" : "",
      "data-series": name, "data-last": last[1], points: pts.map(p => x(p[0]).toFixed(1) + "," + y(p[1]).toFixed(1)).join(" ")}));
    const li = legend.childNodes.length;
    legend.append(el("svg:text", {x: L + 8 + li * 86, y: T + 10, fill: color}, name === "job" ? "job watermark" : "partition " + name));
  }
  svg.append(legend);
  box.replaceChildren(svg);
}

function render(job, parts, cps, results) {
  document.getElementById("job-name").textContent = job.name;
  const state = document.getElementById("job-state");
  state.textContent = job.state + (job.ready ? ", ready" : "");
  state.className = "badge " + job.state;
  document.getElementById("updated").textContent = "updated " + time(job.nowMs) + " UTC";
  const wm = document.getElementById("watermark");
  wm.textContent = dateTime(parts.watermarkMs);
  wm.setAttribute("data-ms", parts.watermarkMs === null ? "" : parts.watermarkMs);
  document.getElementById("watermark-lag").textContent =
    job.watermarkLagSeconds === null ? "" : job.watermarkLagSeconds.toFixed(1) + " s behind the clock";
  renderGraph(job.graph);
  renderChart(parts.timeline, parts.watermarkMs);

  kvRows("counts", [
    ["windows open", num(job.windows.open)], ["panes open", num(job.windows.openPanes)],
    ["windows fired", num(job.windows.fired)], ["late firings", num(job.windows.lateFirings)],
    ["records read", num(job.records.read)], ["accepted", num(job.records.accepted)],
    ["filtered", num(job.records.filtered)], ["results written", num(job.records.resultsWritten)],
    ["sink errors", num(job.records.sinkErrors)]]);
  kvRows("invalid", [["late", num(job.records.late)], ["invalid (all reasons)", num(job.records.invalid)],
    ...Object.entries(job.records.invalidByReason).map(([k, v]) => ["invalid: " + k, num(v)])]);
  fillRows(document.querySelector("#dead-letters tbody"), job.deadLetters.map(d =>
    row([time(d.timeMs), d.partition, num(d.offset), d.reason, d.detail])));
  kvRows("configuration", Object.entries(job.configuration));

  document.getElementById("instance").textContent = "on " + parts.instance;
  fillRows(document.querySelector("#partitions tbody"), parts.partitions.map(p => {
    const tr = row([p.topic, p.partition, p.owner, num(p.nextOffset), num(p.lag), dateTime(p.watermarkMs), p.idle ? "idle" : ""],
      {"data-partition": p.partition, "data-watermark": p.watermarkMs === null ? "" : p.watermarkMs, "data-lag": p.lag === null ? "" : p.lag});
    if (p.idle) tr.lastChild.className = "idle";
    return tr;
  }));
  const peers = document.getElementById("peers");
  const others = job.peers.filter(p => !p.self);
  if (job.peers.length === 0) {
    peers.replaceChildren(el("p", {class: "muted"}, "consumer group members: unknown"));
  } else {
    const list = el("ul");
    for (const p of job.peers) {
      const li = el("li", {}, (p.self ? "this instance: " : "") + p.clientId + " on " + p.host + ", partitions " +
        assignment(p));
      // No link: the group coordinator tells a member's host, not the --metrics-port its UI serves on, and this
      // instance's port is only a guess for another (two instances on one host cannot share it).
      if (!p.self) li.append(el("span", {class: "muted peer-ui"}, " (its web UI: on " + p.host +
        " at its own --metrics-port, which the consumer group does not tell)"));
      list.append(li);
    }
    peers.replaceChildren(el("h3", {}, "Consumer group: " + job.peers.length + " member(s), " + others.length + " other(s)"), list);
  }

  document.getElementById("checkpoint-summary").textContent = num(cps.completed) + " completed, " + num(cps.failed) +
    " failed" + (cps.lastTimeMs === null ? "" : ", last " + time(cps.lastTimeMs) + " UTC");
  document.getElementById("checkpoint-summary").setAttribute("data-completed", cps.completed);
  document.getElementById("restored").textContent = cps.restored === null ? "Started without a checkpoint."
    : "Restored from checkpoint " + cps.restored.id + " taken " + dateTime(cps.restored.timeMs) + ", watermark " +
      dateTime(cps.restored.watermarkMs) + ".";
  fillRows(document.querySelector("#checkpoints tbody"), cps.history.slice(0, 15).map(c => {
    const tr = row([c.id === undefined ? "–" : c.id, time(c.timeMs), c.durationMs === undefined ? "–" : c.durationMs.toFixed(1) + " ms",
      bytes(c.sizeBytes), c.outcome], {"data-id": c.id === undefined ? "" : c.id});
    if (c.outcome !== "completed") tr.className = "failed-row";
    return tr;
  }));
  fillRows(document.querySelector("#results tbody"), results.results.map(r => {
    const tr = row([r.key, "[" + time(r.windowStart) + ", " + time(r.windowEnd) + ")", num(r.count),
      r.value === undefined ? "" : value(r.value), time(r.firedMs)]);
    if (r.value !== undefined) tr.children[3].setAttribute("title", String(r.value)); // the exact value, on hover
    return tr;
  }));
}

async function refresh() {
  try {
    const [job, parts, cps, results] = await Promise.all([get("/api/v1/job"), get("/api/v1/partitions"),
      get("/api/v1/checkpoints"), get("/api/v1/results?limit=15")]);
    render(job, parts, cps, results);
    document.body.removeAttribute("data-error");
    document.body.setAttribute("data-refreshed", String(job.nowMs));
  } catch (e) {
    // The job may have stopped: say so on the page (console.warn, not error: a stopped server is not a bug).
    document.getElementById("job-state").textContent = "unreachable";
    document.getElementById("job-state").className = "badge failed";
    document.body.setAttribute("data-error", String(e.message));
    console.warn("FlinkLite UI: " + e.message);
  } finally {
    setTimeout(refresh, REFRESH_MS);
  }
}
refresh();

/**
 * A member's partitions: "0, 1" for a job of one input topic, "orders 0, 1; payments none" for several (partition 0
 * of two topics is two partitions). topics[] is absent in answers of a build that read one topic only.
 */
function assignment(p) {
  const list = parts => parts.length ? parts.join(", ") : "none";
  if (!p.topics || p.topics.length <= 1) return list(p.partitions);
  return p.topics.map(t => t.topic + " " + list(t.partitions)).join("; ");
}
