import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import type { Chip } from '../chip/chip.js';
import { KERNEL_PARAMS_SCHEMA_VERSION } from '../kernels/load.js';
import {
  ALGORITHM_LAW_BOUNDS,
  ONE_SHOT_LAW_BOUNDS,
  COMPUTE_LAW_BOUNDS,
  DECODE_LAW_BOUNDS,
  DECODE_EXPOSED_LANES,
  DECODE_LANES,
  FASTEST_ALL_REDUCE,
  GEMM_LANES,
  GROUPED_LAW_BOUNDS,
  INTEGER_PARAMETERS,
  STREAM_LAW_BOUNDS,
  type KernelParams,
} from '../kernels/params.js';
import { policyAlgorithms } from '../kernels/collective-laws.js';
import { kernelParamsSchema } from '../kernels/schema.js';
import { nelderMead } from './nelder-mead.js';
import { prepareKernel, predictPrepared, type PreparedKernel } from './kernel-predict.js';
import { isHeldOut, measuredKernels, shapeHash, HELD_OUT_SHARE, LIBRARY_ALL_REDUCE_POLICIES, type Exclusions, type KernelClassName, type MeasuredKernel } from './kernel-rows.js';
import { MEASURED_SOURCE, MEASURED_SYSTEMS, specificationChip, type MeasuredSystem } from './kernel-tables.js';

/**
 * Fits the kernel-law parameters (src/kernels/params.ts) to the measured tables and writes
 * data/kernel-params.json. Deterministic: fixed starting values, a deterministic split and
 * subsample of the rows, a deterministic optimizer, and numbers rounded to 6 significant digits.
 *
 * Per fit, on the training shapes of the GPUs it is given (one shape in five is held out on every
 * GPU by a hash of the shape), in this order (each law's parameters minimize the mean over GPUs of
 * the mean |ln(predicted / measured)| of its rows, predicted through the tool's own step model):
 *   elementwise (static fp8 quantize rows) -> each GEMM lane -> prefill attention -> decode
 *   attention -> MoE (the lanes held fixed) -> collectives (all rows of every collective at once).
 * A lane with no rows in the fit (int8 when A100 is left out) takes the bf16 lane's parameters.
 * The tree algorithm has no rows (single-node data, caveat 7): it takes the ring's parameters.
 * The shipped parameters use every GPU; one more fit per GPU leaves it out, to predict it from its
 * specifications alone.
 */

/** Starting values: the same every run (not read from the previous file), so the output is reproducible. */
export const INITIAL_PARAMS: KernelParams = {
  gemm: Object.fromEntries(GEMM_LANES.map((l) => [l, { efficiency: 0.8, unitsPerItem: 2, vectorEfficiency: 0.5, launchSec: 3e-6, kOverhead: 64, maxSplits: 16, waveWeight: 0.5, overlap: 2, hbmEfficiency: 0.85 }])) as KernelParams['gemm'],
  attention: {
    prefill: { efficiency: 0.8, unitsPerItem: 2, vectorEfficiency: 0.5, launchSec: 10e-6, kOverhead: 64, maxSplits: 64, waveWeight: 0.5, overlap: 2, hbmEfficiency: 0.85 },
    decode: Object.fromEntries(DECODE_LANES.map((l) => [l, { efficiency: 0.5, itemBytes: 262144, groupedItemFactor: 1, launchSec: 8e-6, overlap: 2, hbmEfficiency: 0.85, rowFactor: 30, occupancy: 1, groupedLaunchSec: 8e-6, exposedItemShare: 0 }])) as KernelParams['attention']['decode'],
  },
  moe: { efficiency: 0.8, launchSec: 10e-6 },
  elementwise: { launchSec: 2e-6, hbmEfficiency: 0.85 },
  collectives: {
    ring: { startSec: 15e-6, stepSec: 1e-6, busEfficiency: 0.75 },
    ringLowLatency: { startSec: 5e-6, stepSec: 0.5e-6, busEfficiency: 0.3 },
    tree: { startSec: 5e-6, stepSec: 1e-6, busEfficiency: 0.7 },
    // A core at 20 GB/s: A100's 8-GPU one-token rows take 3.6 us more at 8,192 bytes than at 256 (a100_sxm.comm.csv.gz).
    oneShot: { startSec: 3e-6, stepSec: 0.1e-6, busEfficiency: 0.5, coreSecPerByte: 5e-11 },
    twoShot: { startSec: 5e-6, stepSec: 0.1e-6, busEfficiency: 0.6 },
    inSwitch: { startSec: 8e-6, stepSec: 0, busEfficiency: 0.5 },
    allToAll: { startSec: 5e-6, stepSec: 0, busEfficiency: 0.6 },
  },
  // Not fitted: a design without a measured library's policy takes the fastest algorithm at each size.
  allReduce: { ...FASTEST_ALL_REDUCE },
};

/** Training rows kept per (GPU, class, variant): an evenly spread subsample, by shape hash, to keep the fit fast. */
export const FIT_ROWS_PER_GROUP: Partial<Record<KernelClassName, number>> = { gemm: 400, 'attention-prefill': 400, 'attention-decode': 400, moe: 150, elementwise: 400 };

/** Nelder-Mead evaluations per free parameter in the leave-one-out fits (the shipped fit uses 150). */
const LEAVE_ONE_OUT_EVALUATIONS = 100;

type Path = readonly [string, ...string[]];
interface Free {
  path: Path;
  lo: number;
  hi: number;
}

const getAt = (o: unknown, path: Path): number => path.reduce<unknown>((a, k) => (a as Record<string, unknown>)[k], o) as number;
function setAt(o: unknown, path: Path, v: number): void {
  let a = o as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i++) a = a[path[i]] as Record<string, unknown>;
  a[path[path.length - 1]] = v;
}

const sigmoid = (u: number) => 1 / (1 + Math.exp(-u));
const toUnit = (f: Free, v: number) => {
  const t = Math.min(1 - 1e-6, Math.max(1e-6, (v - f.lo) / (f.hi - f.lo)));
  return Math.log(t / (1 - t));
};
const fromUnit = (f: Free, u: number) => {
  const v = f.lo + (f.hi - f.lo) * sigmoid(u);
  return INTEGER_PARAMETERS.has(f.path[f.path.length - 1]) ? Math.round(v) : v;
};

function lawFree(prefix: Path, bounds: Record<string, [number, number]>, keys?: string[]): Free[] {
  return (keys ?? Object.keys(bounds)).map((k) => ({ path: [...prefix, k] as unknown as Path, lo: bounds[k][0], hi: bounds[k][1] }));
}

/**
 * Errors beyond ln 1.35 count as ln 1.35: a robust (capped) L1 loss, so that rows of a kernel the
 * law does not describe (a library's fallback path) do not pull the parameters of the rows it does.
 */
export const ERROR_CAP = Math.log(1.35);

/** Mean over GPUs of the mean capped |ln(predicted / measured)| of their rows. */
function objective(rows: PreparedKernel[], chips: Map<MeasuredSystem, Chip>): number {
  const sum = new Map<MeasuredSystem, { s: number; n: number }>();
  for (const p of rows) {
    const chip = chips.get(p.row.system)!;
    const e = Math.min(ERROR_CAP, Math.abs(Math.log(predictPrepared(p, chip) / p.row.measuredSec)));
    const acc = sum.get(p.row.system) ?? { s: 0, n: 0 };
    acc.s += e;
    acc.n++;
    sum.set(p.row.system, acc);
  }
  let total = 0;
  for (const v of sum.values()) total += v.s / v.n;
  return sum.size > 0 ? total / sum.size : 0;
}

/** Minimizes the objective over the `free` parameters of `params` (changed in place), the others held. */
function fitGroupWith(params: KernelParams, free: Free[], rows: PreparedKernel[], chips: Map<MeasuredSystem, Chip>, evaluationsPerParameter: number): { error: number; rows: number } {
  if (rows.length === 0) return { error: NaN, rows: 0 };
  const apply = (u: number[]) => free.forEach((f, i) => setAt(params, f.path, fromUnit(f, u[i])));
  const x0 = free.map((f) => toUnit(f, getAt(params, f.path)));
  const r = nelderMead((u) => {
    apply(u);
    return objective(rows, chips);
  }, x0, { step: 0.6, maxEvaluations: evaluationsPerParameter * free.length, restarts: 1 });
  apply(r.x);
  return { error: r.fx, rows: rows.length };
}

const clone = <T>(o: T): T => JSON.parse(JSON.stringify(o)) as T;

export interface FitReport {
  params: KernelParams;
  /** Training error per law: mean |ln(predicted / measured)| and rows used. */
  quality: Record<string, { meanAbsLogError: number; rows: number }>;
}

/**
 * The parameters a measured GPU fits for itself (perSystem in the file): the levels (efficiencies,
 * launch, start-up and per-item times), while the shape of every law (overlap, wave weight, loop
 * overhead, units per item, chunk, occupancy) stays shared.
 */
export const LEVEL_KEYS: Record<string, readonly string[]> = {
  elementwise: ['launchSec', 'hbmEfficiency'],
  gemm: ['efficiency', 'launchSec', 'hbmEfficiency', 'maxSplits'],
  prefill: ['efficiency', 'vectorEfficiency', 'launchSec', 'hbmEfficiency'],
  decode: ['efficiency', 'launchSec', 'groupedLaunchSec', 'hbmEfficiency', 'itemBytes', 'groupedItemFactor', 'rowFactor', 'exposedItemShare'],
  moe: ['efficiency', 'launchSec'],
  ring: ['startSec', 'stepSec', 'busEfficiency'],
  direct: ['startSec', 'stepSec', 'busEfficiency'],
  oneShot: ['startSec', 'stepSec', 'busEfficiency', 'coreSecPerByte'],
};

/**
 * Fits every law on prepared training rows of the given GPUs, from `start`; with `levelsOnly` only
 * the LEVEL_KEYS (a measured GPU's own fit on top of the shared laws).
 */
export function fitOn(rows: PreparedKernel[], designChips: Map<MeasuredSystem, Chip>, start: KernelParams = INITIAL_PARAMS, levelsOnly = false, evaluationsPerParameter = 150): FitReport {
  const params = clone(start);
  const fitGroup = (p: KernelParams, free: Free[], r: PreparedKernel[], c: Map<MeasuredSystem, Chip>) => fitGroupWith(p, free, r, c, evaluationsPerParameter);
  // Every chip is timed with the parameters being fitted (mutated in place by fitGroup).
  const chips = new Map<MeasuredSystem, Chip>();
  for (const [s, c] of designChips) chips.set(s, { ...c, kernels: params });
  const quality: FitReport['quality'] = {};
  const of = (cls: KernelClassName, variant?: string) => rows.filter((r) => r.row.cls === cls && (variant === undefined || r.row.variant === variant));
  const note = (name: string, q: { error: number; rows: number }) => {
    if (q.rows > 0) quality[name] = { meanAbsLogError: round(q.error), rows: q.rows };
  };
  const keys = (law: keyof typeof LEVEL_KEYS, all: string[]) => (levelsOnly ? all.filter((k) => LEVEL_KEYS[law].includes(k)) : all);
  note('elementwise', fitGroup(params, lawFree(['elementwise'], STREAM_LAW_BOUNDS, keys('elementwise', Object.keys(STREAM_LAW_BOUNDS))), of('elementwise'), chips));
  for (const lane of GEMM_LANES) {
    const laneRows = of('gemm', lane);
    if (laneRows.length === 0 && (lane !== 'bf16' || levelsOnly)) continue;
    const gemmKeys = Object.keys(COMPUTE_LAW_BOUNDS).filter((k) => k !== 'vectorEfficiency');
    note(`gemm ${lane}`, fitGroup(params, lawFree(['gemm', lane], COMPUTE_LAW_BOUNDS, keys('gemm', gemmKeys)), laneRows, chips));
  }
  if (!levelsOnly) for (const lane of GEMM_LANES) if (of('gemm', lane).length === 0) params.gemm[lane] = clone(params.gemm.bf16);
  // Prefill attention splits its KV loop as far as the idle units allow (flash-decoding style split-KV is not capped): maxSplits stays at its bound.
  const prefillKeys = Object.keys(COMPUTE_LAW_BOUNDS).filter((k) => k !== 'maxSplits');
  note('attention prefill', fitGroup(params, lawFree(['attention', 'prefill'], COMPUTE_LAW_BOUNDS, keys('prefill', prefillKeys)), of('attention-prefill'), chips));
  for (const lane of DECODE_LANES) {
    // exposedItemShare: a measured GPU's level only, started at 0.5 (from the shared 0, a bound, the logit search cannot move).
    const exposed = levelsOnly && DECODE_EXPOSED_LANES.has(lane) && of('attention-decode', lane).length > 0;
    if (exposed) params.attention.decode[lane].exposedItemShare = 0.5;
    const decodeKeys = Object.keys(DECODE_LAW_BOUNDS).filter((k) => exposed || k !== 'exposedItemShare');
    note(`attention decode ${lane}`, fitGroup(params, lawFree(['attention', 'decode', lane], DECODE_LAW_BOUNDS, keys('decode', decodeKeys)), of('attention-decode', lane), chips));
  }
  note('moe', fitGroup(params, lawFree(['moe'], GROUPED_LAW_BOUNDS, keys('moe', Object.keys(GROUPED_LAW_BOUNDS))), of('moe'), chips));
  // Collectives, one algorithm at a time on the rows that identify it: the ring (both protocols) on
  // all-gather, reduce-scatter and the NCCL all-reduce of switches without in-switch reduction, all-to-all on its rows, in-switch reduction on NCCL all-reduce (where the design
  // has it), one-shot and two-shot on the custom all-reduce, the others held.
  const comm = (op: string, variant?: string) => rows.filter((r) => r.row.collective?.op === op && (variant === undefined || r.row.variant === variant));
  const inSwitchChips = new Set([...designChips].filter(([, c]) => c.interconnect.inSwitchReduction).map(([s]) => s));
  const algorithm = (a: 'ring' | 'ringLowLatency' | 'oneShot' | 'twoShot' | 'inSwitch' | 'allToAll', law: keyof typeof LEVEL_KEYS, all: string[]) => lawFree(['collectives', a], a === 'oneShot' ? ONE_SHOT_LAW_BOUNDS : ALGORITHM_LAW_BOUNDS, keys(law, all));
  // An NCCL all-reduce runs in the switch where the design reduces there and NCCL can (not 8-bit rows: kernel-rows.ts), else on the ring.
  const inSwitchRow = (r: PreparedKernel) => inSwitchChips.has(r.row.system) && r.row.collective!.algorithms?.has('inSwitch') === true;
  const ringAllReduce = comm('all-reduce', 'nccl').filter((r) => !inSwitchRow(r));
  const ringRows = [...comm('all-gather'), ...comm('reduce-scatter'), ...ringAllReduce];
  note('collectives ring', fitGroup(params, [...algorithm('ring', 'ring', ['startSec', 'stepSec', 'busEfficiency']), ...algorithm('ringLowLatency', 'ring', ['startSec', 'stepSec', 'busEfficiency'])], ringRows, chips));
  note('collectives all-to-all', fitGroup(params, algorithm('allToAll', 'direct', ['startSec', 'busEfficiency']), comm('all-to-all'), chips));
  const ncclAllReduce = comm('all-reduce', 'nccl').filter(inSwitchRow);
  note('collectives in-switch', fitGroup(params, algorithm('inSwitch', 'direct', ['startSec', 'busEfficiency']), ncclAllReduce, chips));
  // An algorithm no row can run under its library's policy (two-shot on A100's TensorRT-LLM 1.0) is not identified by them: held.
  const customRows = comm('all-reduce', 'custom');
  const canRun = (a: 'oneShot' | 'twoShot') => customRows.some((r) => {
    const c = r.row.collective!;
    return policyAlgorithms(c.policy, true, c.bytes, c.rowBytes)?.has(a) ?? true;
  });
  const direct = (a: 'oneShot' | 'twoShot') => (canRun(a) ? (a === 'oneShot' ? algorithm(a, 'oneShot', [...LEVEL_KEYS.oneShot]) : algorithm(a, 'direct', [...LEVEL_KEYS.direct])) : []);
  note('collectives one-shot, two-shot', fitGroup(params, [...direct('oneShot'), ...direct('twoShot')], customRows, chips));
  params.collectives.tree = clone(params.collectives.ring);
  return { params: roundParams(params), quality };
}

/** The parameters of `fitted` that differ from `shared`: a measured GPU's levels, as stored in perSystem. */
export function levelsOf(fitted: KernelParams, shared: KernelParams): Record<string, unknown> {
  const diff = (a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> | undefined => {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(a)) {
      if (v && typeof v === 'object') {
        const d = diff(v as Record<string, unknown>, b[k] as Record<string, unknown>);
        if (d) out[k] = d;
      } else if (v !== b[k]) out[k] = v;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  };
  return diff(fitted as unknown as Record<string, unknown>, shared as unknown as Record<string, unknown>) ?? {};
}

const round = (x: number) => (x === 0 ? 0 : Number(x.toPrecision(6)));

function roundParams(p: KernelParams): KernelParams {
  const walk = (o: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(o)) {
      if (typeof v === 'number') o[k] = round(v);
      else if (v && typeof v === 'object') walk(v as Record<string, unknown>);
    }
  };
  walk(p as unknown as Record<string, unknown>);
  return p;
}

/** Training rows of one GPU: the shapes not held out, subsampled evenly by shape hash per (class, variant). */
export function trainingSubsample(rows: MeasuredKernel[]): MeasuredKernel[] {
  const groups = new Map<string, MeasuredKernel[]>();
  for (const r of rows) {
    if (isHeldOut(r.key)) continue;
    const g = `${r.cls}|${r.variant}`;
    let list = groups.get(g);
    if (!list) groups.set(g, (list = []));
    list.push(r);
  }
  const out: MeasuredKernel[] = [];
  for (const list of groups.values()) {
    const cap = FIT_ROWS_PER_GROUP[list[0].cls] ?? Infinity;
    list.sort((a, b) => shapeHash(a.key) - shapeHash(b.key) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const stride = Math.max(1, Math.ceil(list.length / cap));
    for (let i = 0; i < list.length; i += stride) out.push(list[i]);
  }
  return out;
}

export interface RowAccount {
  rows: number;
  heldOut: number;
  fitted: number;
}

/** What the fit read from one GPU's tables: rows by class and variant, the rows left out and why. */
export interface SystemRows {
  system: MeasuredSystem;
  design: string;
  accounts: Record<string, RowAccount>;
  excluded: Exclusions;
  training: PreparedKernel[];
  /** SHA-1 of the sorted keys of the rows fitted on, per class and variant. */
  digests: Record<string, string>;
}

export function loadSystemRows(measuredDir: string, system: MeasuredSystem, design: string): SystemRows {
  const chip = specificationChip(design);
  const { rows, excluded } = measuredKernels(measuredDir, system, chip);
  const accounts: Record<string, RowAccount> = {};
  for (const r of rows) {
    const a = (accounts[`${r.cls} ${r.variant}`] ??= { rows: 0, heldOut: 0, fitted: 0 });
    a.rows++;
    if (isHeldOut(r.key)) a.heldOut++;
  }
  const sub = trainingSubsample(rows);
  const keys = new Map<string, string[]>();
  for (const r of sub) {
    accounts[`${r.cls} ${r.variant}`].fitted++;
    const k = `${r.cls} ${r.variant}`;
    if (!keys.has(k)) keys.set(k, []);
    keys.get(k)!.push(r.key);
  }
  const digests: Record<string, string> = {};
  for (const [k, list] of [...keys.entries()].sort()) digests[k] = createHash('sha1').update(list.sort().join('\n')).digest('hex');
  return { system, design, accounts, excluded, training: sub.map((r) => prepareKernel(r, chip)), digests };
}

/**
 * The training rows of one GPU that a leave-one-out fit uses: every other row of the large classes
 * (those FIT_ROWS_PER_GROUP subsamples: six of these fits, with a smaller search budget) and every
 * row of the collectives. Their tables are small (about 55 training rows per op, implementation and
 * GPU); halved, the fit of the one- and two-shot start-ups depended on which half it got: GB200's
 * custom all-reduce predicted without GB200 missed by 27% (median) with the half the full fit took
 * and by 5% with the half a fit of the collectives alone takes; with every row, by 8%.
 */
export function leaveOneOutRows(training: PreparedKernel[]): PreparedKernel[] {
  return training.filter((p, i) => FIT_ROWS_PER_GROUP[p.row.cls] === undefined || i % 2 === 0);
}

export interface FittedKernels {
  /** The parameter file's text (JSON), as data/kernel-params.json holds it. */
  text: string;
  seconds: number;
  params: KernelParams;
  leaveOneOut: Record<string, KernelParams>;
}

export interface FitKernelsResult extends Omit<FittedKernels, 'text'> {
  file: string;
}

/** The command that writes the shipped parameter file (recorded in it). */
export const FIT_COMMAND = 'chipdse calibrate --fit --measured <measured dir> --out data/kernel-params.json';

/**
 * Reads the measured tables in `measuredDir`, fits the laws on every GPU and once without each,
 * and returns the parameter file's text (nothing is written).
 */
export function fitKernelParams(measuredDir: string, log: (line: string) => void = () => {}): FittedKernels {
  const t0 = performance.now();
  const systems: SystemRows[] = [];
  for (const { system, design } of MEASURED_SYSTEMS) {
    log(`reading ${system} ...`);
    systems.push(loadSystemRows(measuredDir, system, design));
  }
  const chipsOf = (list: SystemRows[]) => new Map(list.map((s) => [s.system, specificationChip(s.design)] as const));
  log('fitting on every GPU ...');
  const all = fitOn(systems.flatMap((s) => s.training), chipsOf(systems));
  const perSystem: Record<string, Record<string, unknown>> = {};
  const perSystemQuality: Record<string, FitReport['quality']> = {};
  for (const s of systems) {
    log(`fitting ${s.system}'s own levels ...`);
    const r = fitOn(s.training, chipsOf([s]), all.params, true);
    perSystem[s.system] = levelsOf(r.params, all.params);
    // The measured library's all-reduce policy, in full, for the GPU's preset (the rows were timed with it).
    const policy = LIBRARY_ALL_REDUCE_POLICIES[s.system];
    if (policy) perSystem[s.system].allReduce = { ...policy };
    perSystemQuality[s.system] = r.quality;
  }
  const leaveOneOut: Record<string, KernelParams> = {};
  const looQuality: Record<string, FitReport['quality']> = {};
  for (const out of systems) {
    log(`fitting without ${out.system} ...`);
    const rest = systems.filter((s) => s !== out);
    const r = fitOn(rest.flatMap((s) => leaveOneOutRows(s.training)), chipsOf(rest), INITIAL_PARAMS, false, LEAVE_ONE_OUT_EVALUATIONS);
    leaveOneOut[out.system] = r.params;
    looQuality[out.system] = r.quality;
  }
  kernelParamsSchema.parse(all.params);
  const file = {
    schemaVersion: KERNEL_PARAMS_SCHEMA_VERSION,
    description: 'Fitted parameters of the kernel efficiency laws (src/kernels/, docs/kernel-calibration.md). Written by fitKernels (src/calibrate/kernel-fit.ts); do not edit by hand: rerun the fit.',
    command: FIT_COMMAND,
    source: {
      ...MEASURED_SOURCE,
      files: ['<system>.gemm.csv.gz', '<system>.quantize.csv.gz', '<system>.attention_context.csv.gz', '<system>.attention_generation.csv.gz', '<system>.moe.csv.gz', '<system>.comm.csv.gz'],
      systems: MEASURED_SYSTEMS.map((s) => ({ ...s })),
    },
    selection: {
      rules: 'src/calibrate/kernel-rows.ts (header comment): quant modes used, README caveats 3-7 handled as stated there',
      heldOutShapes: `a shape is held out on every GPU when FNV-1a(shape key) mod ${HELD_OUT_SHARE} = 0; keys in src/calibrate/kernel-rows.ts`,
      subsample: `training shapes subsampled evenly by shape hash, at most ${JSON.stringify(FIT_ROWS_PER_GROUP)} per GPU, class and variant`,
      objective: 'per law: mean over GPUs of the mean |ln(predicted / measured)| of its training rows, Nelder-Mead over bounded parameters',
      order: 'elementwise, GEMM lanes, prefill attention, decode attention, MoE, collectives; int8 lane without A100 rows and the tree algorithm take bf16 / ring parameters',
      perSystem: 'each measured GPU then refits only its levels (LEVEL_KEYS in src/calibrate/kernel-fit.ts) on its own training shapes, from the shared fit; presets of measured GPUs use them (kernels.measured); allReduce: the measured library\'s all-reduce policy where it is not the fastest algorithm (LIBRARY_ALL_REDUCE_POLICIES in src/calibrate/kernel-rows.ts, from the library\'s source), not fitted',
      leaveOneOut: 'the shared fit repeated without each GPU, from the same starting values, on every other training row of GEMM, attention, MoE and elementwise and every training row of the collectives, with 100 instead of 150 optimizer evaluations per parameter: predicts that GPU from its specifications alone',
    },
    rows: Object.fromEntries(systems.map((s) => [s.system, { design: s.design, byClass: s.accounts, excluded: s.excluded, fittedKeysSha1: s.digests }])),
    fitQuality: { all: all.quality, perSystem: perSystemQuality, leaveOneOut: looQuality },
    params: all.params,
    perSystem,
    leaveOneOut,
  };
  return { text: JSON.stringify(file, null, 2) + '\n', seconds: (performance.now() - t0) / 1000, params: all.params, leaveOneOut };
}

/** fitKernelParams, then the parameter file written to `outFile` (data/kernel-params.json in the shipped fit). */
export function fitKernels(measuredDir: string, outFile: string, log: (line: string) => void = () => {}): FitKernelsResult {
  const { text, ...fitted } = fitKernelParams(measuredDir, log);
  writeFileSync(outFile, text);
  return { file: outFile, ...fitted };
}
