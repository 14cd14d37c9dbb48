// test-durations.mjs: a node --test reporter that prints, per test file, its wall time (from the
// moment the runner starts the file to the moment its process is done), slowest first, so that
// scripts/test.sh can show where a suite's time goes.
// Owns: nothing but its output. Never: judges a test (pass/fail counts come from the spec reporter).
import { relative } from 'node:path';

export default async function* durations(source) {
  const span = new Map(); // file -> [start ms, end ms]
  for await (const ev of source) {
    const d = ev.data;
    // The file itself is a test of nesting 0 named by its path: dequeued when it starts.
    if (!d || !d.file || d.nesting !== 0 || d.name !== d.file) continue;
    const now = performance.now();
    if (ev.type === 'test:dequeue') span.set(d.file, [now, now]);
    else if (span.has(d.file)) span.get(d.file)[1] = now;
  }
  const rows = [...span].map(([f, [a, b]]) => [relative(process.cwd(), f), (b - a) / 1000]);
  rows.sort((x, y) => y[1] - x[1]);
  for (const [f, s] of rows) yield `${s.toFixed(1).padStart(7)} s  ${f}\n`;
}
