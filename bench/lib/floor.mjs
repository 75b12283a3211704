// The arithmetic floor of a problem's evaluations: every step cost the evaluator computes for a
// design (its concurrency search's probes and the final evaluation included), recorded once, then
// computed again as a flat loop over typed arrays: the traffic and work of each step from its
// shape, its kernel law's times (wave quantization, split-K, the p-norm overlap), its energies and
// the power limit, and the phase sums. No objects, lookups or lists are built in the loop; what a
// step reads of the chip and of its kernel law is copied into its record beforehand. Collectives
// are timed by their recorded time (their alpha-beta laws are a few operations). What the floor
// leaves out: the design template and chip build, the schedule arithmetic per probe, memory,
// metrics and objectives. The ratio evaluator time / floor says how far the evaluator is from
// doing only the arithmetic.
//   node bench/lib/floor.mjs [--problem serve-auto] [--designs 1024] [--ms 3000]
import { argValue, lib, sampleIndices } from './common.mjs';
import { loadProblem } from './problems.mjs';

/** Whether a coster has a request's prefill attention kept (IterationCoster.prefillKept; its prefillAttention fields in builds before e33's 63e1078). */
const prefillKept = (coster, key) => (coster.prefillKept ? coster.prefillKept(key) : (key === 'target' ? coster.prefillAttention : coster.drafterPrefillAttention) !== undefined);

/** Fields of one step record (Float64Array, REC wide). */
const F = {
  kind: 0, repeat: 1, phase: 2,
  // matmul: count, m, k, n, bytes per value of A, B, C, bFraction, flags (weights, expert), dequant flags (A, B)
  count: 3, m: 4, k: 5, n: 6, aB: 7, bB: 8, cB: 9, bFrac: 10, weights: 11, expert: 12, deqA: 13, deqB: 14,
  // attention: batch, queries, context, heads, kvHeads, qkDim, vDim, kvBytesPerToken, act bytes, kv value bytes
  batch: 3, queries: 4, context: 5, heads: 6, kvHeads: 7, qkDim: 8, vDim: 9, kvBpt: 10, actB: 11, kvVB: 12,
  // elementwise / gather / collective: vector flops, bytes, collective seconds, link energy
  vflops: 3, bytes: 4, commSec: 5, commJ: 6,
  // the chip and the law, per step
  tile: 20, units: 21, peak: 22, pj: 23, scalePj: 24, working: 25, outTile: 26, wInSram: 27, wDram: 28,
  eff: 29, wave: 30, kOver: 31, perItem: 32, maxSplits: 33, vecEff: 34, hbmEff: 35, launch: 36, p: 37,
  rowF: 38, itemBytes: 39, occupancy: 40, cores: 41,
};
const REC = 42;
/** Chip constants per design (Float64Array, CHIP wide). */
const C = { sramBw: 0, hbmBw: 1, dramBw: 2, vecRate: 3, staticW: 4, tdpW: 5, vecPj: 6, sramPj: 7, hbmPj: 8, dramPj: 9 };
const CHIP = 10;

/** Records every step a problem's evaluations cost: per design, its chip constants and its steps by phase. */
export async function recordSteps(problemName, designs) {
  const { genomeAt } = await lib('search/algorithms.js');
  const { chipForGenome } = await lib('search/design-template.js');
  const { evaluate } = await lib('eval/evaluate.js');
  const { ScaledSteps } = await lib('eval/step-lists.js');
  const { IterationCoster } = await lib('eval/serving-iteration.js');
  const { ChipContext } = await lib('eval/context.js');
  const { decodeLane } = await lib('kernels/params.js');
  const { collectiveCost } = await lib('interconnect/collectives.js');
  const { space, problem } = await loadProblem(problemName);
  // Steps are recorded where the evaluator costs a list (ScaledSteps.at, and a request's prefill attention once per coster).
  let sink;
  let placement;
  const at = ScaledSteps.prototype.at;
  ScaledSteps.prototype.at = function (...xs) {
    const steps = at.apply(this, xs);
    sink?.(steps, placement);
    return steps;
  };
  const run = IterationCoster.prototype.run;
  IterationCoster.prototype.run = function (slot, name, list, p, ...rest) {
    placement = p;
    return run.call(this, slot, name, list, p, ...rest);
  };
  // A closing probe's bounds rewrite a list but cost only its collectives (decodeLowerBound: the
  // decode-only list's) or nothing (mixedBounds, e28: the decoders-and-logits list's): not recorded.
  const bounds = ['decodeLowerBound', 'mixedBounds'].map((name) => [name, IterationCoster.prototype[name]]).filter(([, f]) => f);
  for (const [name, bound] of bounds) {
    IterationCoster.prototype[name] = function (...xs) {
      const keep = sink;
      sink = undefined;
      try {
        return bound.apply(this, xs);
      } finally {
        sink = keep;
      }
    };
  }
  const once = IterationCoster.prototype.once;
  IterationCoster.prototype.once = function (name, steps, p, detail, key) {
    if (detail || !prefillKept(this, key)) sink?.(steps, p);
    return once.call(this, name, steps, p, detail, key);
  };
  const out = [];
  try {
    for (const i of sampleIndices(space.size, designs)) {
      let chip;
      try {
        chip = chipForGenome(space, genomeAt(space, i), 'floor');
      } catch {
        continue;
      }
      const cx = new ChipContext(chip);
      const rows = [];
      let phase = 0;
      sink = (steps, pl) => {
        for (const s of steps) rows.push(recordOf(cx, chip, s, pl, phase, decodeLane, collectiveCost));
        phase++;
      };
      for (const w of problem.workloads) {
        if (w.phase === 'train') throw new Error('the floor covers serving problems (their steps are costed through IterationCoster)');
        evaluate(chip, w, { detail: false });
      }
      sink = undefined;
      const steps = new Float64Array(rows.length * REC);
      rows.forEach((r, j) => steps.set(r, j * REC));
      const e = chip.energy;
      out.push({ chip: Float64Array.of(chip.sramBytesPerSec, chip.hbmBytesPerSec, chip.dramBytesPerSec, chip.vectorFlopsPerSec, e.staticW, chip.tdpW ?? Infinity, e.vectorPjPerFlop, e.sramPjPerByte, e.hbmPjPerByte, e.dramPjPerByte), steps, count: rows.length, phases: phase });
    }
  } finally {
    ScaledSteps.prototype.at = at;
    IterationCoster.prototype.run = run;
    IterationCoster.prototype.once = once;
    for (const [name, bound] of bounds) IterationCoster.prototype[name] = bound;
  }
  return out;
}

function recordOf(cx, chip, s, pl, phase, decodeLane, collectiveCost) {
  const r = new Float64Array(REC);
  r[F.repeat] = s.repeat;
  r[F.phase] = phase;
  r[F.working] = cx.workingSramBytes;
  r[F.outTile] = cx.outputTile;
  r[F.wInSram] = pl.weightsInSram ? 1 : 0;
  const kp = chip.kernels;
  const law = (l) => {
    r[F.eff] = l.efficiency ?? 1;
    r[F.wave] = l.waveWeight ?? 0;
    r[F.kOver] = l.kOverhead ?? 0;
    r[F.perItem] = l.unitsPerItem ?? 1;
    r[F.maxSplits] = l.maxSplits ?? Infinity;
    r[F.vecEff] = l.vectorEfficiency ?? 1;
    r[F.hbmEff] = l.hbmEfficiency;
    r[F.launch] = l.launchSec;
    r[F.p] = l.overlap ?? 1;
  };
  if (s.kind === 'matmul') {
    const ops = cx.operands(s.a, s.b);
    r[F.kind] = 0;
    r[F.count] = s.count; r[F.m] = s.m; r[F.k] = s.k; r[F.n] = s.n;
    r[F.aB] = ops.aBytes; r[F.bB] = ops.bBytes; r[F.cB] = cx.bytesOf(s.out); r[F.bFrac] = s.bFraction;
    r[F.weights] = s.weights ? 1 : 0; r[F.expert] = s.expert ? 1 : 0;
    r[F.deqA] = s.a.format === ops.sel.format ? 0 : 1; r[F.deqB] = s.b.format === ops.sel.format ? 0 : 1;
    r[F.wDram] = s.expert ? pl.expertsInDramFraction : pl.denseInDramFraction;
    r[F.tile] = ops.tile; r[F.units] = ops.units; r[F.peak] = ops.peakMacsPerSec; r[F.pj] = ops.pjPerMac; r[F.scalePj] = ops.scalePjPerMac;
    law(kp.gemm[ops.lane]);
  } else if (s.kind === 'attention') {
    const ops = cx.operands(s.compute, s.compute);
    const sharedLatent = s.kvHeads === 1 && s.qkDim !== s.vDim;
    r[F.kind] = s.queries <= 16 ? 1 : 2;
    r[F.batch] = s.batch; r[F.queries] = s.queries; r[F.context] = s.context; r[F.heads] = s.heads; r[F.kvHeads] = s.kvHeads;
    r[F.qkDim] = s.qkDim; r[F.vDim] = s.vDim; r[F.kvBpt] = s.kvBytesPerToken; r[F.actB] = cx.bytesOf(s.act);
    r[F.kvVB] = s.kvBytesPerToken / (s.kvHeads * (sharedLatent ? s.qkDim : s.qkDim + s.vDim));
    r[F.tile] = ops.tile; r[F.units] = ops.units; r[F.peak] = ops.peakMacsPerSec; r[F.pj] = ops.pjPerMac; r[F.cores] = chip.cores;
    if (r[F.kind] === 1) {
      const l = kp.attention.decode[decodeLane(r[F.kvVB])];
      law(l);
      r[F.rowF] = l.rowFactor;
      r[F.itemBytes] = r[F.batch] > 0 && s.queries * s.heads / s.kvHeads > 1 ? l.itemBytes * l.groupedItemFactor : l.itemBytes;
      r[F.occupancy] = l.occupancy;
    } else law(kp.attention.prefill);
  } else if (s.kind === 'collective') {
    const c = collectiveCost(chip.interconnect, chip.energy.linkPjPerBit, s.op, s.bytes, s.groupSize, pl.innerChips[s.group] ?? 1, kp.collectives, cx.fabrics);
    r[F.kind] = 4;
    r[F.bytes] = c.tier === 'none' ? 0 : 2 * s.bytes; r[F.commSec] = c.timeSec; r[F.commJ] = c.energyJ;
    law(kp.elementwise);
  } else {
    r[F.kind] = 3;
    r[F.vflops] = s.kind === 'elementwise' ? s.elements * s.flopsPerElement : 0;
    r[F.bytes] = s.kind === 'elementwise' ? s.elements * s.bytesPerElement : s.kind === 'gather' ? s.rows * s.rowBytes : s.bytes;
    law(kp.elementwise);
  }
  return r;
}

const padTo = (x, t) => (x <= 0 ? 0 : Math.ceil(x / t) * t);

/** x^p for a whole p (1 to 8) by multiplication, as src/kernels/time.ts takes it. */
function pow(x, p) {
  const x2 = x * x;
  return p === 1 ? x : p === 2 ? x2 : p === 3 ? x2 * x : p === 4 ? x2 * x2 : x2 * x2 * pow(x, p - 4);
}

/** (a^p + b^p + c^p + d^p)^(1/p), as the kernel laws overlap their parts (zero parts skipped). */
function pnorm(a, b, c, d, p) {
  const m = Math.max(a, b, c, d);
  if (m <= 0) return 0;
  let s = 0;
  if (a > 0) s += pow(a / m, p);
  if (b > 0) s += pow(b / m, p);
  if (c > 0) s += pow(c / m, p);
  if (d > 0) s += pow(d / m, p);
  if (s === 1 || p === 1) return m * s;
  return m * (p === 2 ? Math.sqrt(s) : p === 3 ? Math.cbrt(s) : p === 4 ? Math.sqrt(Math.sqrt(s)) : s ** (1 / p));
}

/** Every recorded step of one design costed as a flat loop; returns a checksum of the phase times. */
export function floorDesign(chip, st, count) {
  const sramBw = chip[C.sramBw], hbmBw = chip[C.hbmBw], dramBw = chip[C.dramBw], vecRate = chip[C.vecRate];
  const staticW = chip[C.staticW], tdp = chip[C.tdpW], vecPj = chip[C.vecPj], sramPj = chip[C.sramPj], hbmPj = chip[C.hbmPj], dramPj = chip[C.dramPj];
  let total = 0;
  let phase = -1;
  let phaseSec = 0, phaseJ = 0, peakW = 0, boundCompute = 0, boundMemory = 0;
  for (let j = 0, o = 0; j < count; j++, o += REC) {
    if (st[o + F.phase] !== phase) {
      total += phaseSec + staticW * phaseSec + phaseJ + peakW + boundCompute - boundMemory;
      phase = st[o + F.phase];
      phaseSec = phaseJ = peakW = boundCompute = boundMemory = 0;
    }
    const kind = st[o];
    const launch = st[o + F.launch], p = st[o + F.p], hbmEff = st[o + F.hbmEff];
    let macs = 0, padded = 0, vflops = 0, sram = 0, hbm = 0, dram = 0, computeSec = 0, timeSec = 0, commSec = 0, commJ = 0, pj = 0;
    if (kind === 0) {
      const count = st[o + F.count], m = st[o + F.m], k = st[o + F.k], n = st[o + F.n], tile = st[o + F.tile];
      const mP = padTo(m, tile), nP = padTo(n, tile);
      macs = count * m * k * n;
      padded = count * mP * k * nP;
      const items = count * Math.ceil(m / tile) * Math.ceil(n / tile);
      const aBytes = count * m * k * st[o + F.aB];
      const bBytes = count * k * n * st[o + F.bB] * st[o + F.bFrac];
      const cBytes = count * m * n * st[o + F.cB];
      const working = st[o + F.working], T = st[o + F.outTile];
      const aPasses = aBytes / count <= working ? 1 : Math.ceil(n / T);
      const bPasses = bBytes / count <= working ? 1 : Math.ceil(m / T);
      const weights = st[o + F.weights] === 1;
      const bOff = weights && st[o + F.wInSram] === 1 ? 0 : bBytes * bPasses;
      dram = weights ? bOff * st[o + F.wDram] : 0;
      hbm = aBytes * aPasses + (bOff - dram) + cBytes;
      sram = aBytes * Math.ceil(nP / tile) + bBytes * Math.ceil(mP / tile) + cBytes + hbm + dram;
      vflops = st[o + F.deqA] * 2 * count * m * k * aPasses + st[o + F.deqB] * 2 * count * k * n * st[o + F.bFrac] * bPasses;
      pj = st[o + F.pj] + st[o + F.scalePj];
      // Tiled compute: wave quantization and split-K.
      const slots = Math.max(1, st[o + F.units] / st[o + F.perItem]);
      const splits = items >= slots ? 1 : Math.max(1, Math.min(Math.floor(slots / items), Math.floor(k / tile), st[o + F.maxSplits]));
      const waves = (items * splits) / slots;
      const wave = st[o + F.wave];
      const matrixSec = padded > 0 ? (padded * (1 - wave + (wave * Math.ceil(waves)) / waves) * (1 + (st[o + F.kOver] * splits) / k)) / (st[o + F.peak] * st[o + F.eff]) : 0;
      const vectorSec = vflops / (vecRate * st[o + F.vecEff]);
      computeSec = matrixSec + vectorSec;
      timeSec = launch + pnorm(matrixSec, vectorSec, sram / sramBw, hbm / (hbmBw * hbmEff) + (dram > 0 ? dram / dramBw : 0), p);
    } else if (kind === 1 || kind === 2) {
      const b = st[o + F.batch], q = st[o + F.queries], ctx = st[o + F.context], h = st[o + F.heads], kvh = st[o + F.kvHeads];
      const qk = st[o + F.qkDim], v = st[o + F.vDim], kvBpt = st[o + F.kvBpt], act = st[o + F.actB], tile = st[o + F.tile];
      macs = b * q * ctx * h * (qk + v);
      const passes = Math.max(1, Math.ceil((q * h * qk * act) / st[o + F.working]));
      const kvRead = b * ctx * kvBpt * passes;
      hbm = kvRead + b * q * kvBpt + b * q * h * (qk + v) * act;
      sram = hbm + kvRead * Math.max(0, Math.ceil((q * h) / kvh / tile) - 1);
      vflops = 5 * b * q * ctx * h;
      pj = st[o + F.pj];
      if (kind === 1) {
        padded = macs;
        const cores = st[o + F.cores];
        // decodeSplits (src/kernels/time.ts): chunks of 128 tokens, at most round(sqrt(8 n)), at most 8 waves of the cores.
        let n = Math.max(1, Math.floor(ctx / 128));
        n = Math.max(1, Math.min(n, Math.round(Math.sqrt(n * 8))));
        const waves = (b * kvh * n) / cores;
        if (waves > 8) n = Math.max(1, Math.floor(n / (waves / 8)));
        const items = b * kvh * n;
        const itemBytes = st[o + F.itemBytes] + st[o + F.rowF] * ((q * h) / kvh) * (qk + v) * act;
        const idle = items < cores ? cores / items : 1;
        const x = items / (cores * st[o + F.occupancy]);
        computeSec = (macs > 0 ? (macs * idle) / (st[o + F.peak] * st[o + F.eff]) : 0) + (items * itemBytes) / sramBw + vflops / vecRate;
        timeSec = launch + pnorm(computeSec, sram / sramBw, hbm / (hbmBw * hbmEff * (x / (1 + x))), 0, p);
      } else {
        padded = b * padTo(q, tile) * ctx * h * (qk + v);
        const items = b * h * Math.ceil(q / tile);
        const slots = Math.max(1, st[o + F.units] / st[o + F.perItem]);
        const splits = items >= slots ? 1 : Math.max(1, Math.min(Math.floor(slots / items), Math.floor(ctx / tile), st[o + F.maxSplits]));
        const waves = (items * splits) / slots;
        const wave = st[o + F.wave];
        const matrixSec = (padded * (1 - wave + (wave * Math.ceil(waves)) / waves) * (1 + (st[o + F.kOver] * splits) / ctx)) / (st[o + F.peak] * st[o + F.eff]);
        const vectorSec = vflops / (vecRate * st[o + F.vecEff]);
        computeSec = matrixSec + vectorSec;
        timeSec = launch + pnorm(matrixSec, vectorSec, sram / sramBw, hbm / (hbmBw * hbmEff), p);
      }
    } else {
      vflops = st[o + F.vflops];
      sram = hbm = st[o + F.bytes];
      computeSec = vflops / vecRate;
      const busy = Math.max(computeSec, sram / sramBw, hbm / (hbmBw * hbmEff));
      if (kind === 4) {
        commSec = st[o + F.commSec];
        commJ = st[o + F.commJ];
        timeSec = Math.max(busy, commSec);
      } else timeSec = busy > 0 ? launch + busy : 0;
    }
    const memSec = Math.max(sram / sramBw, hbm / hbmBw);
    const eCompute = (macs * pj + vflops * vecPj) * 1e-12;
    const eSram = sram * sramPj * 1e-12;
    const eHbm = (hbm * hbmPj + dram * dramPj) * 1e-12;
    let dynJ = eCompute + eSram + eHbm + commJ;
    if (timeSec > 0 && dynJ / timeSec > tdp - staticW) timeSec = dynJ / (tdp - staticW);
    const r = st[o + F.repeat];
    const sec = timeSec * r;
    phaseSec += sec;
    phaseJ += dynJ * r;
    const w = sec > 0 ? (dynJ * r) / sec : 0;
    if (w > peakW) peakW = w;
    if (commSec >= timeSec && commSec > 0) boundMemory += 0;
    else if (computeSec >= memSec) boundCompute += sec;
    else boundMemory += sec;
  }
  return total + phaseSec + staticW * phaseSec + phaseJ + peakW + boundCompute - boundMemory;
}

/** Microseconds per design of the floor loop (CPU time, one core, the median of three runs). */
export function measureFloor(designs, ms) {
  let sink = 0;
  let n = 0;
  const warm = performance.now();
  while (performance.now() - warm < Math.min(500, ms / 4)) {
    const d = designs[n++ % designs.length];
    sink += floorDesign(d.chip, d.steps, d.count);
  }
  const runs = [];
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    let k = 0;
    while (performance.now() - t0 < ms / 3) {
      const d = designs[(n + k++) % designs.length];
      sink += floorDesign(d.chip, d.steps, d.count);
    }
    const c = process.cpuUsage(c0);
    runs.push((c.user + c.system) / k);
    n += k;
  }
  runs.sort((a, b) => a - b);
  if (!Number.isFinite(sink)) throw new Error('floor loop: non-finite checksum');
  return { usPerDesign: runs[1], runs };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problem = argValue('problem', 'serve-auto');
  const designs = await recordSteps(problem, Number(argValue('designs', '1024')));
  const steps = designs.reduce((a, d) => a + d.count, 0) / designs.length;
  const phases = designs.reduce((a, d) => a + d.phases, 0) / designs.length;
  const { usPerDesign } = measureFloor(designs, Number(argValue('ms', '3000')));
  console.log(`${problem}: ${steps.toFixed(1)} step costs in ${phases.toFixed(1)} phases per design; floor ${usPerDesign.toFixed(2)} us of CPU per design`);
}
