// Where 8-bit (fp8 E4M3) KV decode misses on Hopper (or another lane and GPU, by the options): the held-out rows of the attention-decode
// table (the split `calibrate` reports on), timed with the fitted parameters in data/kernel-params.json,
// their median ln(measured / predicted) and median |error| by head dimension and query-head group,
// and the held-out median with and without the grouped heads of 64 (docs/kernel-calibration.md).
// Measured rows: AIConfigurator (Apache-2.0, NVIDIA), /work/shared/reference/measured.
//   npm run build && node bench/decode-kv8-residuals.mjs [--systems h100_sxm,h200_sxm] [--lane kv8|kv16] [--measured DIR]
import { join } from 'node:path';
import { argValue, lib, ROOT } from './lib/common.mjs';

const { MEASURED_SYSTEMS, specificationChip } = await lib('calibrate/kernel-tables.js');
const { measuredKernels, isHeldOut } = await lib('calibrate/kernel-rows.js');
const { readKernelParamsFile, kernelParamsOfSystem } = await lib('kernels/load.js');
const { predictKernel } = await lib('calibrate/kernel-predict.js');

const measured = argValue('measured', '/work/shared/reference/measured');
const systems = argValue('systems', 'h100_sxm,h200_sxm').split(',');
const lane = argValue('lane', 'kv8');
const file = readKernelParamsFile(join(ROOT, 'data/kernel-params.json'));
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];

for (const { system, design } of MEASURED_SYSTEMS) {
  if (!systems.includes(system)) continue;
  const base = specificationChip(design);
  const chip = { ...base, kernels: kernelParamsOfSystem(file, system) };
  const groups = new Map();
  const add = (k, e) => groups.set(k, [...(groups.get(k) ?? []), e]);
  for (const r of measuredKernels(measured, system, base, ['attention-decode']).rows) {
    if (r.variant !== lane || !isHeldOut(r.key)) continue;
    const [, , heads, kvHeads, d] = r.key.split(',').map(Number);
    const g = heads / kvHeads;
    const e = Math.log(r.measuredSec / predictKernel(r, chip));
    add('all', e);
    add(d === 64 && g > 1 ? 'heads of 64, grouped' : 'all but heads of 64, grouped', e);
    add(`d ${d}, g ${g}`, e);
  }
  console.log(system, lane, '(held-out rows; ln(measured / predicted) > 0: predicted too fast)');
  for (const [k, a] of groups) {
    const absErr = a.map((e) => Math.abs(Math.exp(e) - 1));
    console.log(`  ${k.padEnd(30)} n ${String(a.length).padStart(4)}  median ln ${(100 * median(a)).toFixed(1).padStart(6)}%  median |error| ${(100 * median(absErr)).toFixed(1)}%`);
  }
}
