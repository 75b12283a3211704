import { bytesPerValue, quantizationSnrDb, type FormatName } from '../precision/formats.js';
import type { Chip } from '../chip/chip.js';
import { RETICLE_LIMIT_MM2 } from '../chip/cost.js';
import { paramCounts, type ModelConfig } from '../workload/model.js';
import { backwardPass, forwardPass, type PassShape } from '../workload/trace.js';
import type { Step } from '../workload/step.js';
import type { Workload } from '../workload/workload.js';
import { toPrecision } from '../workload/load.js';
import { memoryShortfall, modelMemory, paramsPerChip, placeMemory } from './memory.js';
import { runPhase } from './phase.js';
import { StepError, selectCached, type Placement } from './step-cost.js';
import { usdPerChipSecond } from './tco.js';
import { goodputOf, reliabilityFigures } from '../reliability/reliability.js';
import { ENERGY_PARTS, largestBound, totalEnergy, zeroEnergy, type Bound, type EnergyBreakdown, type Evaluation, type MemoryFootprint, type Metrics, type PhaseCost } from './types.js';

/** HBM per stack and per-stack bandwidth beyond any announced part (JEDEC HBM4 JESD270-4: 16-high stacks of 32 Gb dies = 64 GB; 2048 bits at up to ~13 Gb/s = 3.3 TB/s). */
export const HBM_MAX_BYTES_PER_STACK = 64e9;
export const HBM_MAX_BYTES_PER_SEC_PER_STACK = 3.3e12;

/** Upper limit for "auto" batch search (sequences). */
const AUTO_BATCH_MAX = 1 << 16;

/** Design rules that make a chip unbuildable, whatever the workload. */
export function designReasons(chip: Chip): string[] {
  const r: string[] = [];
  if (chip.area.perDieMm2 > RETICLE_LIMIT_MM2) {
    r.push(`die of ${chip.area.perDieMm2.toFixed(0)} mm2 exceeds the ${RETICLE_LIMIT_MM2} mm2 reticle limit (split it over more dies)`);
  }
  if (chip.hbmBytes / chip.hbmStacks > HBM_MAX_BYTES_PER_STACK) {
    r.push(`${(chip.hbmBytes / chip.hbmStacks / 1e9).toFixed(0)} GB per HBM stack exceeds the ${HBM_MAX_BYTES_PER_STACK / 1e9} GB of the largest stack`);
  }
  if (chip.hbmBytesPerSec / chip.hbmStacks > HBM_MAX_BYTES_PER_SEC_PER_STACK) {
    r.push(`${(chip.hbmBytesPerSec / chip.hbmStacks / 1e12).toFixed(2)} TB/s per HBM stack exceeds the ${HBM_MAX_BYTES_PER_SEC_PER_STACK / 1e12} TB/s of the fastest stack`);
  }
  if (chip.voltage.ratio > chip.voltage.maxRatio) {
    const v = chip.voltage;
    r.push(`a ${(chip.clockHz / 1e9).toFixed(2)} GHz clock needs ${v.ratio.toFixed(2)}x the nominal voltage (nominal clock ${(v.nominalClockHz / 1e9).toFixed(2)} GHz), beyond the ${v.maxRatio}x the process allows (technology.energy.maxVoltageRatio)`);
  }
  if (chip.tdpW !== undefined && chip.energy.staticW >= chip.tdpW) {
    r.push(`static power ${chip.energy.staticW.toFixed(0)} W alone reaches the ${chip.tdpW} W power limit`);
  }
  return r;
}

export interface EvaluateOptions {
  /** Keep every step's cost in the phases (reports); a search sets it false for speed. */
  detail?: boolean;
}

/** Evaluates a design on a workload: always returns an Evaluation, infeasible with reasons when it cannot run. */
export function evaluate(chip: Chip, w: Workload, opts: EvaluateOptions = {}): Evaluation {
  const detail = opts.detail ?? true;
  if (w.mix) return evaluateMix(chip, w, detail);
  const design = designReasons(chip);
  let e: Evaluation;
  try {
    e = w.trace ? evaluateTrace(chip, w) : w.batch === 'auto' ? evaluateAutoBatch(chip, w, detail) : evaluateAtBatch(chip, w, w.batch, detail);
  } catch (err) {
    if (!(err instanceof StepError)) throw err;
    e = infeasible(chip, w, [err.message]);
  }
  if (design.length > 0) e = { ...e, feasible: false, reasons: [...design, ...e.reasons] };
  return e;
}

function evaluateAutoBatch(chip: Chip, w: Workload, detail: boolean): Evaluation {
  const unit = w.parallelism.data * w.parallelism.pipeline * (w.phase === 'train' ? w.training.microBatch : 1);
  let best: Evaluation | undefined;
  let first: Evaluation | undefined;
  // The TTFT of one request is the same at every batch: computed once for the sweep.
  const shared: SweepShared = {};
  for (let b = unit; b <= AUTO_BATCH_MAX; b *= 2) {
    // A batch that does not fit ends the sweep: evaluated in full only when it is the first.
    if (first && memoryShortfall(chip, modelMemory(chip, w, w.model!, b))) break;
    const e = evaluateAtBatch(chip, w, b, false, shared);
    first ??= e;
    if (!e.metrics.fits) break;
    if (e.feasible && (!best || e.metrics.tokensPerSec > best.metrics.tokensPerSec)) best = e;
  }
  // The batch search runs without step details; the chosen batch is evaluated again with them if asked.
  if (best) return detail ? evaluateAtBatch(chip, w, best.metrics.batch, true) : best;
  return { ...first!, reasons: [...first!.reasons, 'no batch size fits in memory and meets the SLO'] };
}

function placementFor(w: Workload, mem: MemoryFootprint): Placement {
  const { tensor: t, pipeline: p, context: c } = w.parallelism;
  return {
    weightsInSram: mem.weightsInSram,
    expertsInDramFraction: mem.expertsInDramFraction,
    denseInDramFraction: mem.denseInDramFraction,
    innerChips: { tensor: 1, expert: 1, context: t, pipeline: t * c, data: t * c * p },
  };
}

function pipelineSend(w: Workload, tokens: number, h: number): Step[] {
  const p = w.parallelism.pipeline;
  if (p <= 1) return [];
  return [{ kind: 'collective', name: 'pipeline send (PP)', op: 'send', group: 'pipeline', groupSize: p, bytes: tokens * h * bytesPerValue(w.precision.activations), overlap: undefined, repeat: p - 1 }];
}

/**
 * Traces depend only on the workload and the pass shape, not on the chip: a search evaluates
 * thousands of chips on the same few traces, so they are built once per workload and shape.
 * Looked up by numbers (batch, then the rest of the shape) rather than a string key: a search
 * looks up two or three traces per design.
 */
interface CachedTrace {
  queries: number;
  context: number;
  logitsTokens: number;
  sendTokens: number;
  steps: Step[];
}

type TraceCache = Map<number, CachedTrace[]>;
const TRACES = new WeakMap<Workload, TraceCache>();
const DRAFTER_TRACES = new WeakMap<Workload, TraceCache>();
/** Shapes kept per workload before the cache starts over (an "auto" sweep uses about 50). */
const TRACES_PER_WORKLOAD = 4096;

function cachedTrace(caches: WeakMap<Workload, TraceCache>, w: Workload, shape: PassShape, sendTokens: number, build: () => Step[]): Step[] {
  let byBatch = caches.get(w);
  if (!byBatch) caches.set(w, (byBatch = new Map()));
  let list = byBatch.get(shape.batch);
  if (!list) {
    if (byBatch.size > TRACES_PER_WORKLOAD) byBatch.clear();
    byBatch.set(shape.batch, (list = []));
  }
  for (const t of list) {
    if (t.queries === shape.queries && t.context === shape.context && t.logitsTokens === shape.logitsTokens && t.sendTokens === sendTokens) return t.steps;
  }
  const steps = build();
  if (list.length >= 64) list.length = 0;
  list.push({ queries: shape.queries, context: shape.context, logitsTokens: shape.logitsTokens, sendTokens, steps });
  return steps;
}

/** A forward pass plus the pipeline sends of `sendTokens` tokens, cached. */
function trace(m: ModelConfig, shape: PassShape, w: Workload, sendTokens: number): Step[] {
  return cachedTrace(TRACES, w, shape, sendTokens, () => [...forwardPass(m, shape, split(w), prec(w)), ...pipelineSend(w, sendTokens, m.hiddenSize)]);
}

/** The drafter's forward pass (speculative decoding), on `tensor` chips; the drafter is fixed per workload. */
function drafterTrace(dm: ModelConfig, shape: PassShape, tensor: number, w: Workload): Step[] {
  return cachedTrace(DRAFTER_TRACES, w, shape, 0, () => forwardPass(dm, shape, { tensor, expert: 1 }, prec(w)));
}

function split(w: Workload) {
  return { tensor: w.parallelism.tensor, expert: w.parallelism.expert, context: w.parallelism.context };
}

function prec(w: Workload) {
  return { weights: w.precision.weights, activations: w.precision.activations, kvCache: w.precision.kvCache };
}

/**
 * Work shared by the evaluations of one sweep over batch sizes: the single-request TTFT, valid
 * while the weights stay where they were (a larger KV cache can push weights into DRAM).
 */
interface SweepShared {
  singleRequestTtftSec?: number;
  /** Where the weights were when it was computed. */
  placement?: Placement;
}

function samePlacement(a: Placement | undefined, b: Placement): boolean {
  return a !== undefined && a.weightsInSram === b.weightsInSram && a.expertsInDramFraction === b.expertsInDramFraction && a.denseInDramFraction === b.denseInDramFraction;
}

export function evaluateAtBatch(chip: Chip, w: Workload, batch: number, detail = true, shared: SweepShared = {}): Evaluation {
  const m = w.model!;
  const mem = modelMemory(chip, w, m, batch);
  const placement = placementFor(w, mem);
  const reasons: string[] = [];
  const shortfall = memoryShortfall(chip, mem);
  if (shortfall) reasons.push(shortfall);
  const r = w.phase === 'train' ? trainMetrics(chip, w, m, batch, placement, detail) : serveMetrics(chip, w, m, batch, placement, detail, shared);
  const metrics = finishMetrics(chip, w, r, batch, mem, !shortfall);
  if (w.slo.ttftSec !== undefined && metrics.ttftSec > w.slo.ttftSec) reasons.push(`TTFT ${fmt(metrics.ttftSec)} s exceeds the SLO of ${w.slo.ttftSec} s`);
  if (w.slo.tpotSec !== undefined && metrics.tpotSec > w.slo.tpotSec) reasons.push(`time per output token ${fmt(metrics.tpotSec)} s exceeds the SLO of ${w.slo.tpotSec} s`);
  return { design: chip.name, workload: w.name, feasible: reasons.length === 0, reasons, metrics, memory: mem, phases: r.phases };
}

const fmt = (x: number) => (x >= 0.01 ? x.toFixed(3) : x.toExponential(2));

/** What a phase model hands to the common metric code: one "cycle" of the system's work. */
interface CycleResult {
  phases: PhaseCost[];
  /** Wall time of one cycle of a replica (prefill + decode of its batch, or one training step). */
  cycleSec: number;
  /** Dynamic energy per chip over one cycle. */
  dynamicJ: EnergyBreakdown;
  /** Tokens the whole system produces per cycle (output tokens serving, input tokens prefill/train). */
  tokensPerCycle: number;
  ttftSec: number;
  tpotSec: number;
  latencySec: number;
  stepTimeSec: number;
  /** Model FLOPs per cycle, the numerator of MFU. */
  modelFlops: number;
  computeFormat: FormatName;
  boundBy: Bound;
  /** Time to write a checkpoint (training), 0 when serving. */
  checkpointSec: number;
}

function serveMetrics(chip: Chip, w: Workload, m: ModelConfig, batch: number, placement: Placement, detail: boolean, shared: SweepShared): CycleResult {
  const { pipeline: p, data: d } = w.parallelism;
  const micro = batch / d / p;
  const s = w.inputTokens;
  const out = w.outputTokens;
  const phases: PhaseCost[] = [];
  const active = paramCounts(m).activePerToken;
  let ttftSec = 0;
  let preSec = 0;
  const dyn = zeroEnergy();
  let modelFlops = 0;
  if (w.phase === 'serve' || w.phase === 'prefill') {
    const shape: PassShape = { batch: micro, queries: s, context: (s + 1) / 2, logitsTokens: micro };
    const pre = runPhase(chip, 'prefill', micro, trace(m, shape, w, micro * s), placement, detail);
    phases.push(pre);
    preSec = ttftSec = pre.timeSec;
    // With continuous batching a request is prefilled on its own while others decode: its TTFT is one sequence's prefill.
    if (micro > 1) {
      const single: PassShape = { ...shape, batch: 1, logitsTokens: 1 };
      if (shared.singleRequestTtftSec === undefined || !samePlacement(shared.placement, placement)) {
        shared.singleRequestTtftSec = runPhase(chip, 'prefill (one request)', 1, trace(m, single, w, s), placement, false).timeSec;
        shared.placement = placement;
      }
      ttftSec = shared.singleRequestTtftSec;
    } else {
      shared.singleRequestTtftSec = ttftSec;
      shared.placement = placement;
    }
    addInto(dyn, pre.energyJ);
    modelFlops += 2 * active * batch * s;
  }
  let tpotSec = 0;
  let decodeSec = 0;
  if (w.phase === 'serve' || w.phase === 'decode') {
    const steps = w.phase === 'serve' ? out - 1 : out;
    const context = s + out / 2;
    const spec = w.speculative;
    const queries = spec ? spec.draftTokens + 1 : 1;
    const shape: PassShape = { batch: micro, queries, context, logitsTokens: micro * queries };
    const verify = runPhase(chip, spec ? 'decode (verify)' : 'decode', micro, trace(m, shape, w, micro * queries), placement, detail);
    phases.push(verify);
    let iterSec = verify.timeSec;
    const iterJ = { ...verify.energyJ };
    let tokensPerIter = 1;
    if (spec) {
      const dm = spec.drafter;
      const dt = dm.heads % w.parallelism.tensor === 0 ? w.parallelism.tensor : 1;
      const draft = runPhase(chip, 'decode (draft)', micro, drafterTrace(dm, { batch: micro, queries: 1, context, logitsTokens: micro }, dt, w), { ...placement, expertsInDramFraction: 0, denseInDramFraction: 0 }, detail);
      phases.push(draft);
      iterSec += spec.draftTokens * draft.timeSec;
      addInto(iterJ, draft.energyJ, spec.draftTokens);
      // Expected tokens per verification, Leviathan et al. 2023 eq. 1: (1 - a^(k+1)) / (1 - a).
      const a = spec.acceptanceRate;
      tokensPerIter = (1 - a ** (spec.draftTokens + 1)) / (1 - a);
    }
    tpotSec = iterSec / tokensPerIter;
    decodeSec = steps * tpotSec;
    addInto(dyn, iterJ, steps / tokensPerIter);
    modelFlops += 2 * active * batch * steps;
  }
  const cycleSec = preSec + decodeSec;
  const prefillOnly = w.phase === 'prefill';
  return {
    phases,
    cycleSec,
    dynamicJ: dyn,
    tokensPerCycle: prefillOnly ? batch * s : batch * (w.phase === 'serve' ? out : out),
    ttftSec,
    tpotSec,
    latencySec: w.phase === 'decode' ? out * tpotSec : ttftSec + Math.max(0, out - 1) * tpotSec * (prefillOnly ? 0 : 1),
    stepTimeSec: 0,
    modelFlops,
    computeFormat: computeFormatOf(chip, w),
    boundBy: dominantBound(phases, w.phase === 'serve' ? [preSec, decodeSec] : undefined),
    checkpointSec: 0,
  };
}

/** A training step's per-chip traces: they depend only on the workload, so they are built once per workload. */
interface TrainingSteps {
  /** One micro-batch: forward, backward, pipeline sends both ways, FSDP collectives. */
  microBatchSteps: Step[];
  /** The last micro-batch's backward pass and the gradient all-reduce that hides behind it. */
  syncSteps: Step[];
  optimizerSteps: Step[];
  params: number;
  gradBytes: number;
}

const TRAINING_STEPS = new WeakMap<Workload, TrainingSteps>();

function trainingSteps(w: Workload, m: ModelConfig): TrainingSteps {
  let t = TRAINING_STEPS.get(w);
  if (!t) TRAINING_STEPS.set(w, (t = buildTrainingSteps(w, m)));
  return t;
}

function buildTrainingSteps(w: Workload, m: ModelConfig): TrainingSteps {
  const { tensor: t, pipeline: p, data: d } = w.parallelism;
  const micro = w.training.microBatch;
  const s = w.inputTokens;
  const fwd = forwardPass(m, { batch: micro, queries: s, context: (s + 1) / 2, logitsTokens: micro * s }, split(w), prec(w));
  const bwd = backwardPass(fwd, w.training.recompute === 'full');
  const send = pipelineSend(w, micro * s, m.hiddenSize);
  const params = paramsPerChip(m, t, p, w.parallelism.expert);
  const full = w.training.sharding === 'full';
  const gradBytes = params * bytesPerValue(w.precision.gradients);
  const weightBytes = params * bytesPerValue(w.precision.weights);
  // FSDP: weights all-gathered for the forward and again for the backward pass, gradients
  // reduce-scattered, per micro-batch, prefetched behind the computation.
  const fsdp: Step[] = full && d > 1
    ? [
        { kind: 'collective', name: 'weight all-gather fwd (FSDP)', op: 'all-gather', group: 'data', groupSize: d, bytes: weightBytes, overlap: 'compute', repeat: 1 },
        { kind: 'collective', name: 'weight all-gather bwd (FSDP)', op: 'all-gather', group: 'data', groupSize: d, bytes: weightBytes, overlap: 'compute', repeat: 1 },
        { kind: 'collective', name: 'gradient reduce-scatter (FSDP)', op: 'reduce-scatter', group: 'data', groupSize: d, bytes: gradBytes, overlap: 'backward', repeat: 1 },
      ]
    : [];
  const microBatchSteps = [...fwd.map((x) => Object.assign({}, x, { part: 'forward' as const })), ...bwd, ...send, ...send, ...fsdp];
  const optShard = w.training.sharding === 'none' ? 1 : d;
  const dSite = d / w.training.sites;
  // Context-parallel chips hold the same weights: their gradients are reduced with the data replicas'.
  const syncGroup = dSite * w.parallelism.context;
  const sync: Step[] = syncGroup > 1 && !full ? [{ kind: 'collective', name: 'gradient all-reduce (DP)', op: 'all-reduce', group: 'data', groupSize: syncGroup, bytes: gradBytes, overlap: 'backward', repeat: 1 }] : [];
  // The last micro-batch's backward pass is what the gradient sync can hide behind.
  const lastBackward = bwd.filter((x) => x.kind !== 'collective').map((x) => ({ ...x, repeat: x.repeat / p }));
  const optimizerSteps: Step[] = [
    // Adam on the local shard: read weights, gradient, fp32 master and two moments; write them back (~30 B/param).
    { kind: 'elementwise', name: 'adam update', elements: params / optShard, flopsPerElement: 12, bytesPerElement: 2 * (bytesPerValue(w.precision.weights) + 3 * bytesPerValue(w.precision.optimizer)) + bytesPerValue(w.precision.gradients), repeat: 1, part: 'optimizer' },
  ];
  return { microBatchSteps, syncSteps: [...lastBackward, ...sync], optimizerSteps, params, gradBytes };
}

function trainMetrics(chip: Chip, w: Workload, m: ModelConfig, batch: number, placement: Placement, detail: boolean): CycleResult {
  const { pipeline: p, data: d } = w.parallelism;
  const micro = w.training.microBatch;
  const microBatches = batch / d / micro;
  const s = w.inputTokens;
  const { microBatchSteps, syncSteps, optimizerSteps, params, gradBytes } = trainingSteps(w, m);
  const mb = runPhase(chip, 'train micro-batch (fwd+bwd)', micro, microBatchSteps, placement, detail);
  const sites = w.training.sites;
  const dSite = d / sites;
  const syncPhase = runPhase(chip, 'gradient sync', micro, syncSteps, placement);
  const optimizer = runPhase(chip, 'optimizer step', micro, optimizerSteps, placement);
  const lastBackwardSec = syncPhase.steps.filter((c) => c.kind !== 'collective').reduce((a, c) => a + c.timeSec, 0);
  const exposedSync = Math.max(0, syncPhase.timeSec - lastBackwardSec);
  // 1F1B pipeline, interleaved over v virtual stages per chip (Narayanan et al., SC 2021):
  // (microBatches + (p - 1) / v) slots of (micro-batch time / p).
  const v = w.training.virtualStages;
  const pipelineSec = (mb.timeSec / p) * (microBatches + (p - 1) / v);
  const cross = crossSiteSync(chip, w, gradBytes / dSite);
  // Across data centres the gradient exchange overlaps the whole next step; only its excess shows.
  const exposedCross = Math.max(0, cross.timeSec - pipelineSec);
  const stepTimeSec = pipelineSec + exposedSync + exposedCross + optimizer.timeSec;
  const dyn = zeroEnergy();
  addInto(dyn, mb.energyJ, microBatches / p);
  for (const c of syncPhase.steps) if (c.kind === 'collective') addInto(dyn, c.energyJ);
  addInto(dyn, optimizer.energyJ);
  dyn.interconnect += cross.energyJ;
  const c = paramCounts(m);
  // PaLM (Chowdhery et al. 2022, appendix B) model FLOPs per token: 6 N + 12 L H Q T.
  const flopsPerToken = 6 * c.activePerToken + 12 * m.layers * m.heads * m.headDim * s;
  const syncSummary: PhaseCost = { ...syncPhase, timeSec: exposedSync, steps: syncPhase.steps.filter((x) => x.kind === 'collective') };
  return {
    phases: [mb, syncSummary, optimizer],
    cycleSec: stepTimeSec,
    dynamicJ: dyn,
    tokensPerCycle: batch * s,
    ttftSec: 0,
    tpotSec: 0,
    latencySec: stepTimeSec,
    stepTimeSec,
    modelFlops: flopsPerToken * batch * s,
    computeFormat: computeFormatOf(chip, w),
    boundBy: exposedSync + exposedCross > pipelineSec ? 'interconnect' : mb.boundBy,
    checkpointSec: checkpointWriteSec(chip, w, params),
  };
}

/**
 * Gradient exchange between data centres: after each site reduces its replicas' gradients, every
 * chip holds 1/dSite of them and all-reduces that shard with its peers in the other sites; a
 * site's chips share the site's link, so each gets bytesPerSec / chipsPerSite.
 */
function crossSiteSync(chip: Chip, w: Workload, bytesPerChip: number): { timeSec: number; energyJ: number } {
  const sites = w.training.sites;
  if (sites <= 1) return { timeSec: 0, energyJ: 0 };
  const cs = chip.interconnect.crossSite;
  if (!cs) throw new StepError(`training over ${sites} sites needs interconnect.crossSite in the design`);
  const perChip = (cs.bytesPerSec * chip.interconnect.efficiency) / (w.chips / sites);
  const sent = ((2 * (sites - 1)) / sites) * bytesPerChip;
  return { timeSec: sent / perChip + 2 * (sites - 1) * cs.latencySec, energyJ: sent * 8 * cs.pjPerBit * 1e-12 };
}

/**
 * A checkpoint is the weights and optimizer state; every chip writes its 1/data share of its
 * replica's state in parallel, to remote storage over the scale-out network (else to host DRAM,
 * else over the pod links).
 */
function checkpointWriteSec(chip: Chip, w: Workload, params: number): number {
  const bytes = (params * (bytesPerValue(w.precision.weights) + 3 * bytesPerValue(w.precision.optimizer))) / w.parallelism.data;
  const bw = chip.interconnect.scaleOut?.bytesPerSec ?? (chip.dramBytesPerSec > 0 ? chip.dramBytesPerSec : chip.interconnect.linkBytesPerSec);
  return bytes / bw;
}

function computeFormatOf(chip: Chip, w: Workload): FormatName {
  return selectCached(chip, w.precision.activations, w.precision.weights)?.format ?? 'bf16';
}

function dominantBound(phases: PhaseCost[], weights?: number[]): Bound {
  let compute = 0;
  let memory = 0;
  let interconnect = 0;
  let power = 0;
  for (let i = 0; i < phases.length; i++) {
    const ph = phases[i];
    const scale = weights && ph.timeSec > 0 && i < weights.length ? weights[i] / ph.timeSec : 1;
    compute += ph.timeByBound.compute * scale;
    memory += ph.timeByBound.memory * scale;
    interconnect += ph.timeByBound.interconnect * scale;
    power += ph.timeByBound.power * scale;
  }
  return largestBound(compute, memory, interconnect, power);
}

/** Adds the dynamic parts of `e` (times `scale`) into `into`. */
function addInto(into: EnergyBreakdown, e: EnergyBreakdown, scale = 1): void {
  into.compute += e.compute * scale;
  into.sram += e.sram * scale;
  into.hbm += e.hbm * scale;
  into.interconnect += e.interconnect * scale;
}

function finishMetrics(chip: Chip, w: Workload, r: CycleResult, batch: number, mem: MemoryFootprint, fits: boolean): Metrics {
  const chips = w.chips;
  const tokensPerSec = r.cycleSec > 0 ? r.tokensPerCycle / r.cycleSec : 0;
  const dynamicW = r.cycleSec > 0 ? (r.dynamicJ.compute + r.dynamicJ.sram + r.dynamicJ.hbm + r.dynamicJ.interconnect) / r.cycleSec : 0;
  const powerW = dynamicW + chip.energy.staticW;
  const perToken = (j: number) => (r.tokensPerCycle > 0 ? (chips * j) / r.tokensPerCycle : 0);
  const energyBreakdownJ: EnergyBreakdown = {
    compute: perToken(r.dynamicJ.compute),
    sram: perToken(r.dynamicJ.sram),
    hbm: perToken(r.dynamicJ.hbm),
    interconnect: perToken(r.dynamicJ.interconnect),
    static: perToken(chip.energy.staticW * r.cycleSec),
  };
  const energyJPerToken = totalEnergy(energyBreakdownJ);
  const peakFlops = 2 * (chip.peakMacsPerSec[r.computeFormat] ?? 0);
  const mfu = r.cycleSec > 0 && peakFlops > 0 ? r.modelFlops / r.cycleSec / (chips * peakFlops) : 0;
  const usdPerSec = usdPerChipSecond(chip.cost.totalUsd, powerW) * chips;
  const rel = reliabilityFigures({ chips, chipFit: chip.reliability.chipFit, memoryFitPerMbit: chip.reliability.memoryFitPerMbit, memoryBytesPerChip: Math.min(mem.totalBytes, chip.hbmBytes), ecc: chip.ecc });
  const restartSec = w.phase === 'train' ? w.training.restartSec : 0;
  const gp = r.checkpointSec > 0 ? goodputOf(r.checkpointSec, restartSec, rel.interruptionIntervalHours * 3600) : { goodput: 1, checkpointIntervalSec: 0 };
  return {
    tokensPerSec,
    latencySec: r.latencySec,
    ttftSec: r.ttftSec,
    tpotSec: r.tpotSec,
    stepTimeSec: r.stepTimeSec,
    mfu,
    batch,
    energyJPerToken,
    energyBreakdownJ,
    powerW,
    areaMm2: chip.area.totalMm2,
    costUsd: chip.cost.totalUsd,
    tokensPerSecPerW: powerW > 0 ? tokensPerSec / (powerW * chips) : 0,
    usdPerMTokens: tokensPerSec > 0 ? (usdPerSec / tokensPerSec) * 1e6 : 0,
    boundBy: r.boundBy,
    fits,
    hbmUsedBytes: mem.hbmBytes,
    memoryBytesPerChip: mem.totalBytes,
    quantizationSnrDb: quantizationSnrDb(w.precision.weights),
    interruptionIntervalHours: Math.min(rel.interruptionIntervalHours, 1e12),
    goodput: gp.goodput,
    checkpointIntervalSec: gp.checkpointIntervalSec,
  };
}

function evaluateTrace(chip: Chip, w: Workload): Evaluation {
  const tr = w.trace!;
  const mem = placeMemory(chip, { ...tr.memory, gradientBytes: 0, optimizerBytes: 0, drafterBytes: 0 });
  const placement = placementFor(w, mem);
  const steps: Step[] = tr.steps.map((s) => {
    switch (s.kind) {
      case 'matmul': {
        return { ...s, a: toPrecision(s.a), b: toPrecision(s.b), out: toPrecision(s.out ?? s.a), bFraction: 1 };
      }
      case 'attention': {
        const p = toPrecision(s.precision);
        const { precision: _drop, ...rest } = s;
        return { ...rest, compute: p, act: p };
      }
      case 'collective':
        return { ...s, overlap: undefined };
      default:
        return s;
    }
  });
  const phase = runPhase(chip, tr.name, tr.batch, steps, placement);
  const reasons: string[] = [];
  const shortfall = memoryShortfall(chip, mem);
  if (shortfall) reasons.push(shortfall);
  const r: CycleResult = {
    phases: [phase],
    cycleSec: phase.timeSec,
    dynamicJ: phase.energyJ,
    tokensPerCycle: tr.tokens,
    ttftSec: 0,
    tpotSec: 0,
    latencySec: phase.timeSec,
    stepTimeSec: phase.timeSec,
    modelFlops: phase.steps.reduce((a, c) => a + 2 * c.macs, 0) * tr.chips,
    computeFormat: computeFormatOf(chip, w),
    boundBy: phase.boundBy,
    checkpointSec: 0,
  };
  const metrics = finishMetrics(chip, { ...w, chips: tr.chips }, r, tr.batch, mem, !shortfall);
  return { design: chip.name, workload: w.name, feasible: reasons.length === 0, reasons, metrics, memory: mem, phases: [phase] };
}


function infeasible(chip: Chip, w: Workload, reasons: string[]): Evaluation {
  const e = zeroEnergy();
  const metrics: Metrics = {
    tokensPerSec: 0, latencySec: 0, ttftSec: 0, tpotSec: 0, stepTimeSec: 0, mfu: 0,
    batch: typeof w.batch === 'number' ? w.batch : 0, energyJPerToken: 0, energyBreakdownJ: e, powerW: chip.energy.staticW,
    areaMm2: chip.area.totalMm2, costUsd: chip.cost.totalUsd, tokensPerSecPerW: 0, usdPerMTokens: 0, boundBy: 'compute', fits: false,
    hbmUsedBytes: 0, memoryBytesPerChip: 0, quantizationSnrDb: quantizationSnrDb(w.precision.weights),
    interruptionIntervalHours: 0, goodput: 0, checkpointIntervalSec: 0,
  };
  return { design: chip.name, workload: w.name, feasible: false, reasons, metrics, memory: undefined, phases: [] };
}

/**
 * A weighted mix of workloads sharing the chips' time: throughput and power are time-weighted;
 * energy per token follows from them; TTFT, TPOT and step time are the worst over the parts that have them.
 */
function evaluateMix(chip: Chip, w: Workload, detail: boolean): Evaluation {
  const components = w.mix!.map((c) => ({ workload: c.workload.name, weight: c.weight, evaluation: evaluate(chip, c.workload, { detail }) }));
  const sumW = (f: (m: Metrics) => number) => components.reduce((a, c) => a + c.weight * f(c.evaluation.metrics), 0);
  const maxOf = (f: (m: Metrics) => number) => Math.max(0, ...components.map((c) => f(c.evaluation.metrics)));
  const tokensPerSec = sumW((m) => m.tokensPerSec);
  const powerW = sumW((m) => m.powerW);
  // Joules per second of each part, time-weighted, over tokens per second.
  const breakdown = zeroEnergy();
  for (const k of ENERGY_PARTS) breakdown[k] = tokensPerSec > 0 ? sumW((m) => m.energyBreakdownJ[k] * m.tokensPerSec) / tokensPerSec : 0;
  const first = components[0].evaluation.metrics;
  const metrics: Metrics = {
    ...first,
    tokensPerSec,
    powerW,
    latencySec: maxOf((m) => m.latencySec),
    ttftSec: maxOf((m) => m.ttftSec),
    tpotSec: maxOf((m) => m.tpotSec),
    stepTimeSec: maxOf((m) => m.stepTimeSec),
    mfu: sumW((m) => m.mfu),
    batch: maxOf((m) => m.batch),
    energyBreakdownJ: breakdown,
    energyJPerToken: totalEnergy(breakdown),
    tokensPerSecPerW: tokensPerSec > 0 && powerW > 0 ? sumW((m) => m.tokensPerSecPerW * m.powerW) / powerW : 0,
    usdPerMTokens: tokensPerSec > 0 ? sumW((m) => m.usdPerMTokens * m.tokensPerSec) / tokensPerSec : 0,
    fits: components.every((c) => c.evaluation.metrics.fits),
    hbmUsedBytes: maxOf((m) => m.hbmUsedBytes),
    memoryBytesPerChip: maxOf((m) => m.memoryBytesPerChip),
    quantizationSnrDb: Math.min(...components.map((c) => c.evaluation.metrics.quantizationSnrDb)),
    interruptionIntervalHours: Math.min(...components.map((c) => c.evaluation.metrics.interruptionIntervalHours)),
    goodput: sumW((m) => m.goodput),
    checkpointIntervalSec: maxOf((m) => m.checkpointIntervalSec),
  };
  const reasons = components.flatMap((c) => c.evaluation.reasons.map((r) => `${c.workload}: ${r}`));
  return { design: chip.name, workload: w.name, feasible: reasons.length === 0, reasons, metrics, memory: undefined, phases: [], components };
}
