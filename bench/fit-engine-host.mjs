// Fits each serving engine's host costs (src/calibrate/serving-calibrate.ts, ENGINE_HOST): the
// per-iteration host time and the per-layer launch time of iterations with prompt tokens, on the
// measured rows in odd lines of data/serving-measured.csv, by a grid search that minimizes the sum
// of the median |error| of TTFT and of TPOT over that engine's training rows. Prints the fit and
// the errors on the held-out rows (even lines), which the fit never sees.
//   npm run build && node bench/fit-engine-host.mjs
import { median } from 'simple-statistics';
import { lib } from './lib/common.mjs';

const { calibrateServing } = await lib('calibrate/serving-calibrate.js');
const { readServingRows } = await lib('calibrate/serving-rows.js');
const { isFitRow } = await lib('calibrate/serving-calibrate.js');

const rows = readServingRows();
const train = rows.filter(isFitRow);
const heldOut = rows.filter((r) => !isFitRow(r));
const backends = [...new Set(rows.map((r) => r.backend))].sort();
// Grids in milliseconds: per-iteration host time 0-4 ms; per-layer launch 0-1.5 ms (AIConfigurator's
// vLLM backend charges 0.8 ms per layer of prefill dispatch, vllm_backend.py _prefill_dispatch_overhead_ms).
const H = [0, 0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.5, 3, 3.5, 4];
const L = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1, 1.25, 1.5];
const score = (rs) => median(rs.map((r) => Math.abs(r.ttftError))) + median(rs.map((r) => Math.abs(r.tpotError)));
const best = Object.fromEntries(backends.map((b) => [b, { score: Infinity, h: 0, l: 0 }]));
for (const h of H) {
  for (const l of L) {
    const host = { iterationOverheadSec: h / 1e3, eagerLayerSec: l / 1e3 };
    const c = calibrateServing(train, Object.fromEntries(backends.map((b) => [b, host])));
    for (const b of backends) {
      const s = score(c.rows.filter((r) => r.row.backend === b));
      if (s < best[b].score) best[b] = { score: s, h, l };
    }
  }
}
const fitted = Object.fromEntries(backends.map((b) => [b, { iterationOverheadSec: best[b].h / 1e3, eagerLayerSec: best[b].l / 1e3 }]));
const pct = (v) => `${(100 * v).toFixed(1)}%`;
const report = (name, rs) => {
  const t = rs.map((r) => Math.abs(r.ttftError));
  const p = rs.map((r) => Math.abs(r.tpotError));
  return `${name.padEnd(10)} ${String(rs.length).padStart(5)}  TTFT ${pct(median(t)).padStart(6)}  TPOT ${pct(median(p)).padStart(6)}`;
};
console.log(`fitted on ${train.length} rows (odd lines), held out ${heldOut.length} (even lines)`);
for (const b of backends) console.log(`${b}: iteration ${best[b].h} ms, launch ${best[b].l} ms per layer (training score ${pct(best[b].score)})`);
for (const [name, set] of [['training', train], ['held-out', heldOut]]) {
  const c = calibrateServing(set, fitted);
  console.log(report(name, c.rows));
  for (const b of backends) console.log(report(`  ${b}`, c.rows.filter((r) => r.row.backend === b)));
}
