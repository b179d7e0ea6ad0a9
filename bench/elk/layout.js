// Lays out ELK JSON graphs with ELK layered (elkjs) for bench/chart_quality.py.
// Usage: node layout.js GRAPHS.json  -> prints the laid-out graphs as one JSON array, in order.
"use strict";
const fs = require("fs");
const ELK = require("elkjs/lib/elk.bundled.js");

async function main() {
  const graphs = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
  const elk = new ELK();
  const out = [];
  for (const graph of graphs) {
    out.push(await elk.layout(graph));
  }
  process.stdout.write(JSON.stringify(out));
}

main().catch((error) => {
  process.stderr.write(String((error && error.stack) || error) + "\n");
  process.exit(1);
});
