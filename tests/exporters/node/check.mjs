// Runs the real tools on exported files and prints one JSON result per job.
// Usage: node check.mjs JOBS.json   (JOBS: [{"kind": "bpmn" | "mermaid", "path": "..."}])
// bpmn: bpmn-moddle parses the XML (its warnings are reported) and bpmnlint lints it with
//       `bpmnlint:recommended`.
// mermaid: the mermaid package parses the text inside jsdom (mermaid needs a DOM to load, not to
//       parse); the flowchart's vertices, edges and subgraphs come back from mermaid's own db.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { JSDOM } from 'jsdom';

const require = createRequire(import.meta.url);
const jobs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const results = [];

let BpmnModdle, mermaid;

async function bpmn(text) {
  if (!BpmnModdle) {
    ({ default: BpmnModdle } = await import('bpmn-moddle'));
  }
  // A new linter per file: some rules (no-duplicate-sequence-flows) keep state between runs.
  const { Linter } = require('bpmnlint');
  const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
  const linter = new Linter({ config: { extends: 'bpmnlint:recommended' }, resolver: new NodeResolver() });
  const { rootElement, warnings } = await new BpmnModdle().fromXML(text, 'bpmn:Definitions');
  const reports = await linter.lint(rootElement);
  const lint = [];
  for (const [rule, items] of Object.entries(reports)) {
    for (const item of items) {
      lint.push({ rule, id: item.id, message: item.message, category: item.category });
    }
  }
  return { warnings: warnings.map((w) => w.message), lint };
}

// What a browser shows for a label in mermaid's db: mermaid keeps entity codes as ﬂ°name¶ß /
// ﬂ°°number¶ß until rendering, then they become HTML entities; <br> is a line break.
function shown(text) {
  const html = String(text ?? '')
    .replaceAll('\ufb02\u00b0\u00b0', '&#').replaceAll('\ufb02\u00b0', '&').replaceAll('\u00b6\u00df', ';')
    .replace(/<br\s*\/?>/gi, '\n');
  const area = document.createElement('textarea');
  area.innerHTML = html;
  return area.value;
}

async function mermaidParse(text) {
  if (!mermaid) {
    const dom = new JSDOM('<!DOCTYPE html><html><body></body></html>');
    globalThis.window = dom.window;
    globalThis.document = dom.window.document;
    ({ default: mermaid } = await import('mermaid'));
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict' });
  }
  await mermaid.parse(text);
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db;
  const vertices = [];
  for (const [id, v] of db.getVertices()) {
    vertices.push({ id, text: shown(v.text), type: v.type ?? null });
  }
  const edges = db.getEdges().map((e) => ({ start: e.start, end: e.end, text: shown(e.text) }));
  const subgraphs = db.getSubGraphs().map((s) => ({ id: s.id, title: shown(s.title), nodes: s.nodes }));
  return { type: diagram.type, direction: db.getDirection ? db.getDirection() : null, vertices, edges, subgraphs };
}

for (const job of jobs) {
  const text = readFileSync(job.path, 'utf8');
  try {
    const result = job.kind === 'bpmn' ? await bpmn(text) : await mermaidParse(text);
    results.push({ path: job.path, ok: true, ...result });
  } catch (error) {
    results.push({ path: job.path, ok: false, error: String(error && error.message || error) });
  }
}
process.stdout.write(JSON.stringify(results));
