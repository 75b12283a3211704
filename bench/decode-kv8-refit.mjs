// The refit harness behind docs/kernel-calibration.md's "tried" figures for 8-bit KV decode on
// Hopper (k14's, made reproducible): the decode law refitted on one GPU's training rows with every
// parameter free (Nelder-Mead on logits, the fit's capped |ln| loss), then the held-out median
// |measured / predicted - 1|. Variants, on top of the law as shipped (exposedItemShare):
//   --variant base     the law without the exposed share
//   --variant expose   the law as shipped (the default)
//   --variant tile     + the kernel's per-tile work: 64-token tiles (gemm0WarpGrpTileNbTokens),
//                      rows padded to 8 (ctaNbQHeads), fixed plus per-row bytes a tile, no exposed share
//   --variant all      per-tile work and the exposed share
//   --tile-in-series   the per-tile work added to the time instead of inside the p-norm
//   --narrow-heads 1   grouped calls with heads of 64 pay the ungrouped fixed time (launchSec)
//   --narrow-heads 2   the same for groups of 32 too
// Measured rows: AIConfigurator (Apache-2.0, NVIDIA), /work/shared/reference/measured.
//   npm run build && node bench/decode-kv8-refit.mjs [--systems h100_sxm,h200_sxm] [--variant expose] (~40 s a GPU)
import { join } from 'node:path';
import { argValue, hasFlag, lib, ROOT } from './lib/common.mjs';

const { MEASURED_SYSTEMS, specificationChip } = await lib('calibrate/kernel-tables.js');
const { measuredKernels, isHeldOut } = await lib('calibrate/kernel-rows.js');
const { prepareKernel } = await lib('calibrate/kernel-predict.js');
const { readKernelParamsFile, kernelParamsOfSystem } = await lib('kernels/load.js');
const { decodeSplits } = await lib('kernels/time.js');
const { nelderMead } = await lib('calibrate/nelder-mead.js');

const measured = argValue('measured', '/work/shared/reference/measured');
const systems = argValue('systems', 'h100_sxm,h200_sxm').split(',');
const variant = argValue('variant', 'expose');
const tileInSeries = hasFlag('tile-in-series');
const narrowHeads = Number(argValue('narrow-heads', '0'));
const P = 8; // the p-norm of the 8-bit lane's overlap, held fixed as in k14's harness
const CAP = Math.log(1.35);
const file = readKernelParamsFile(join(ROOT, 'data/kernel-params.json'));
const NAMES = ['efficiency', 'itemBytes', 'groupedItemFactor', 'launchSec', 'groupedLaunchSec', 'hbmEfficiency', 'rowFactor', 'occupancy', 'tileBytes', 'tileRowBytes', 'exposedItemShare'];
const LO = [0.05, 0, 0.1, 0, 0, 0.05, 0, 0.01, 0, 0, 0];
const HI = [1, 1e8, 20, 1e-3, 1e-3, 1, 1000, 64, 1e7, 1e6, 1];
const withTile = variant === 'tile' || variant === 'all';
const withExpose = variant === 'expose' || variant === 'all';
const isFree = (name) => (name.startsWith('tile') ? withTile : name === 'exposedItemShare' ? withExpose : true);
const sig = (u) => 1 / (1 + Math.exp(-u));
const pnorm = (a, b, c) => { const m = Math.max(a, b, c); return m * Math.pow((a / m) ** P + (b / m) ** P + (c / m) ** P, 1 / P); };

function rowsOf(system, design) {
  const chip = specificationChip(design);
  const out = [];
  for (const r of measuredKernels(measured, system, chip, ['attention-decode']).rows) {
    if (r.variant !== 'kv8') continue;
    const w = prepareKernel(r, chip).work[0].scratch;
    const splits = decodeSplits(w.loopDepth, w.kvStreams, w.cores);
    const items = w.kvStreams * splits;
    const headDim = Number(r.key.split(',')[4]);
    out.push({
      held: isHeldOut(r.key), sec: r.measuredSec, macs: w.macs, peak: w.peakMacsPerSec, items, cores: w.cores,
      idle: items < w.cores ? w.cores / items : 1, g: w.groupRows, rowBytes: w.rowBytes, S: chip.sramBytesPerSec,
      vec: w.vectorFlops / chip.vectorFlopsPerSec, sram: w.sram / chip.sramBytesPerSec, hbm: w.hbm / chip.hbmBytesPerSec,
      tiles: Math.ceil(w.loopDepth / (splits * 64)), paddedRows: Math.ceil(w.groupRows / 8) * 8,
      ungroupedLaunch: w.groupRows > 1 && ((narrowHeads >= 1 && headDim === 64) || (narrowHeads >= 2 && w.groupRows === 32)),
    });
  }
  return out;
}

function predict(d, v) {
  const [eff, itemB, gF, launch, gLaunch, hbmEff, rowF, occ, tileB, tileRowB, share] = v;
  const itemSec = (d.items * ((d.g > 1 ? itemB * gF : itemB) + rowF * d.rowBytes)) / d.S;
  const tileSec = (d.items * d.idle * d.tiles * (tileB + tileRowB * d.paddedRows)) / d.S;
  const x = d.items / (d.cores * occ);
  const compute = (d.macs > 0 ? (d.macs * d.idle) / (d.peak * eff) : 0) + (1 - share) * itemSec + (tileInSeries ? 0 : tileSec) + d.vec;
  const fixed = d.g > 1 && !d.ungroupedLaunch ? gLaunch : launch;
  return fixed + share * itemSec * d.idle + (tileInSeries ? tileSec : 0) + pnorm(compute, d.sram, d.hbm / (hbmEff * (x / (1 + x))));
}

for (const { system, design } of MEASURED_SYSTEMS) {
  if (!systems.includes(system)) continue;
  const data = rowsOf(system, design);
  const law = kernelParamsOfSystem(file, system).attention.decode.kv8;
  const start = NAMES.map((n) => (n === 'tileBytes' ? 20000 : n === 'tileRowBytes' ? 2000 : n === 'exposedItemShare' ? 0.5 : law[n]));
  const free = NAMES.map((n, i) => (isFree(n) ? i : -1)).filter((i) => i >= 0);
  const values = (u) => {
    const v = NAMES.map((n, i) => (isFree(n) ? start[i] : 0));
    free.forEach((i, k) => (v[i] = LO[i] + (HI[i] - LO[i]) * sig(u[k])));
    return v;
  };
  const train = data.filter((d) => !d.held);
  const loss = (u) => { const v = values(u); let s = 0; for (const d of train) s += Math.min(CAP, Math.abs(Math.log(predict(d, v) / d.sec))); return s / train.length; };
  const u0 = free.map((i) => { const t = Math.min(1 - 1e-6, Math.max(1e-6, (start[i] - LO[i]) / (HI[i] - LO[i]))); return Math.log(t / (1 - t)); });
  const fit = nelderMead(loss, u0, { step: 0.6, maxEvaluations: 300 * free.length, restarts: 2 });
  const v = values(fit.x);
  const errors = data.filter((d) => d.held).map((d) => Math.abs(predict(d, v) / d.sec - 1)).sort((a, b) => a - b);
  const fitted = Object.fromEntries(free.map((i) => [NAMES[i], Number(v[i].toPrecision(4))]));
  console.log(`${system} ${variant}${tileInSeries ? ' tile-in-series' : ''}${narrowHeads ? ` narrow-heads ${narrowHeads}` : ''}: held-out median ${(100 * errors[Math.floor(errors.length / 2)]).toFixed(1)}% (n ${errors.length}, train loss ${fit.fx.toFixed(4)})`, JSON.stringify(fitted));
}
