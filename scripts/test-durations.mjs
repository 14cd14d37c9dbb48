// test-durations.mjs: a node --test reporter that prints, per test file, its wall time (first event to
// last), slowest first, so that scripts/test.sh can show where a suite's time goes.
// Owns: nothing but its output. Never: judges a test (pass/fail counts come from the spec reporter).
import { relative } from 'node:path';

export default async function* durations(source) {
  const span = new Map(); // file -> [first ms, last ms]
  for await (const ev of source) {
    const file = ev.data && ev.data.file;
    if (!file) continue;
    const now = performance.now();
    const s = span.get(file);
    if (s) s[1] = now;
    else span.set(file, [now, now]);
  }
  const rows = [...span].map(([f, [a, b]]) => [relative(process.cwd(), f), (b - a) / 1000]);
  rows.sort((x, y) => y[1] - x[1]);
  for (const [f, s] of rows) yield `${s.toFixed(1).padStart(7)} s  ${f}\n`;
}
