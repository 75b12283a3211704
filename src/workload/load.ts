import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChipdseError, ValidationError, type Issue } from '../errors.js';
import { readDataFile, validate, keysOfSchemaAt, listPresetNames } from '../io/load.js';
import { defaultPrecision, namedPrecision, precisionIssue, resolveFormatName, DEFAULT_SCALE_BITS, type Precision } from '../precision/formats.js';
import { resolveModel } from './model.js';
import { workloadSchema, traceFileSchema, type WorkloadFile } from './schema.js';
import type { Workload } from './workload.js';

export const WORKLOADS_DIR = fileURLToPath(new URL('../../workloads/', import.meta.url));

export function listWorkloadPresets(): string[] {
  return listPresetNames(WORKLOADS_DIR);
}

type RawPrecision = string | { format: string; blockSize?: number; scaleBits?: number };

/** A precision as a workload gives it: a format name, a standard block format (nvfp4, mxfp4, ...), or an object. */
export function toPrecision(raw: RawPrecision): Precision {
  const name = typeof raw === 'string' ? raw : raw.format;
  const base = namedPrecision(name) ?? defaultPrecision(resolveFormatName(name)!);
  if (typeof raw === 'string') return base;
  const blockSize = raw.blockSize ?? base.blockSize;
  return { ...base, blockSize, scaleBits: blockSize > 0 ? (raw.scaleBits ?? (base.scaleBits || DEFAULT_SCALE_BITS)) : 0 };
}

function resolveRef(ref: string): { path: string; data: unknown } {
  const looksLikePath = ref.includes('/') || ref.includes('\\') || /\.(json|ya?ml)$/i.test(ref);
  if (!looksLikePath) {
    const preset = join(WORKLOADS_DIR, `${ref}.json`);
    if (existsSync(preset)) return { path: `workloads/${ref}.json`, data: readDataFile(preset) };
    if (!existsSync(ref)) throw new ChipdseError(`unknown workload "${ref}": not a preset (${listWorkloadPresets().join(', ')}) nor a file`);
  }
  return { path: ref, data: readDataFile(ref) };
}

/** Loads a workload by preset name or path. */
export function loadWorkload(ref: string): Workload {
  const { path, data } = resolveRef(ref);
  return parseWorkload(data, path, path.startsWith('workloads/') ? WORKLOADS_DIR : dirname(resolve(path)));
}

/** Validates raw workload data; relative paths inside it resolve against `baseDir`. */
export function parseWorkload(data: unknown, file: string, baseDir = process.cwd(), depth = 0): Workload {
  const w = validate(workloadSchema, data, file, (p) => keysOfSchemaAt(workloadSchema, p));
  const issues = crossFieldIssues(w);
  if (issues.length > 0) throw new ValidationError(file, issues);
  const rel = (p: string) => (isAbsolute(p) || existsSync(p) ? p : join(baseDir, p));
  const name = w.name ?? basename(file).replace(/\.(json|ya?ml)$/i, '');
  const precision = {
    weights: toPrecision(w.precision.weights),
    activations: toPrecision(w.precision.activations),
    kvCache: toPrecision(w.precision.kvCache),
    gradients: toPrecision(w.precision.gradients),
    optimizer: toPrecision(w.precision.optimizer),
  };
  if (w.mix) {
    if (depth > 4) throw new ChipdseError(`${file}: mix: nested more than 4 levels deep`);
    const mix = w.mix.map((item, i) => {
      const sub =
        typeof item.workload === 'string'
          ? (() => {
              const ref = item.workload as string;
              const r = inField(file, `mix[${i}].workload`, () => resolveRef(ref.includes('/') ? rel(ref) : ref));
              return parseWorkload(r.data, r.path, dirname(resolve(r.path)), depth + 1);
            })()
          : parseWorkload(item.workload, `${file}: mix[${i}].workload`, baseDir, depth + 1);
      return { workload: sub, weight: item.weight };
    });
    return { ...baseFields(w, name, file, precision), phase: mix[0].workload.phase, model: undefined, trace: undefined, mix };
  }
  const model = w.model !== undefined ? resolveModel(typeof w.model === 'string' && w.model.includes('/') ? rel(w.model) : w.model, file) : undefined;
  const trace = w.trace !== undefined ? validate(traceFileSchema, inField(file, 'trace', () => readDataFile(rel(w.trace!))), w.trace) : undefined;
  if (model) modelIssues(model, w, file);
  const speculative = w.speculative
    ? { drafter: resolveModel(typeof w.speculative.drafter === 'string' && w.speculative.drafter.includes('/') ? rel(w.speculative.drafter) : w.speculative.drafter, file, 'speculative.drafter'), draftTokens: w.speculative.draftTokens, acceptanceRate: w.speculative.acceptanceRate }
    : undefined;
  return { ...baseFields(w, name, file, precision), phase: w.phase ?? 'prefill', model, trace, speculative, mix: undefined };
}

/** Runs `f`, prefixing a failure with the file and field that led to it. */
function inField<T>(file: string, field: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ChipdseError && !(e instanceof ValidationError)) throw new ChipdseError(`${file}: ${field}: ${e.message}`);
    throw e;
  }
}

function baseFields(w: WorkloadFile, name: string, file: string, precision: Workload['precision']) {
  return {
    name,
    source: file,
    batch: w.batch,
    inputTokens: w.inputTokens,
    outputTokens: w.outputTokens,
    precision,
    chips: w.chips,
    parallelism: w.parallelism,
    slo: w.slo ?? {},
    speculative: undefined,
    training: w.training,
  };
}

function crossFieldIssues(w: WorkloadFile): Issue[] {
  const issues: Issue[] = [];
  if (w.mix) {
    const sum = w.mix.reduce((s, m) => s + m.weight, 0);
    if (Math.abs(sum - 1) > 1e-6) issues.push({ path: 'mix', message: `weights must add up to 1, got ${sum}` });
    for (const k of ['model', 'trace', 'speculative'] as const) if (w[k] !== undefined) issues.push({ path: k, message: 'not allowed with mix (give it in the mixed workloads)' });
    return issues;
  }
  if (w.model === undefined && w.trace === undefined) issues.push({ path: 'model', message: 'required (or give trace, or mix)' });
  if (w.model !== undefined && w.trace !== undefined) issues.push({ path: 'trace', message: 'give either model or trace, not both' });
  if (w.model !== undefined && w.phase === undefined) issues.push({ path: 'phase', message: 'required: one of prefill, decode, serve, train' });
  const p = w.parallelism;
  const product = p.tensor * p.pipeline * p.data * p.context;
  if (w.trace === undefined && product !== w.chips) {
    issues.push({ path: 'parallelism', message: `tensor x pipeline x data x context = ${p.tensor} x ${p.pipeline} x ${p.data} x ${p.context} = ${product} must equal chips ${w.chips}` });
  }
  if (p.context > 1 && w.inputTokens % p.context !== 0) issues.push({ path: 'parallelism.context', message: `${p.context} must divide inputTokens ${w.inputTokens}` });
  if ((p.tensor * p.data) % p.expert !== 0) issues.push({ path: 'parallelism.expert', message: `must divide tensor x data = ${p.tensor * p.data}` });
  for (const [field, raw] of Object.entries(w.precision)) {
    const issue = typeof raw === 'object' && raw ? precisionIssue(raw.format, raw.blockSize) : undefined;
    if (issue) issues.push({ path: `precision.${field}.blockSize`, message: issue });
  }
  if (typeof w.batch === 'number' && w.batch < p.data * p.pipeline) {
    issues.push({ path: 'batch', message: `must be at least data x pipeline = ${p.data * p.pipeline} (one sequence per replica and stage)` });
  }
  if (w.phase === 'train' && typeof w.batch === 'number' && w.batch % (p.data * w.training.microBatch) !== 0) {
    issues.push({ path: 'batch', message: `must be a multiple of data x training.microBatch = ${p.data * w.training.microBatch}` });
  }
  if (w.training.sites > 1 && p.data % w.training.sites !== 0) issues.push({ path: 'training.sites', message: `must divide data parallelism ${p.data}` });
  if (w.training.virtualStages > 1 && p.pipeline === 1) issues.push({ path: 'training.virtualStages', message: 'needs pipeline parallelism' });
  if (w.speculative && (w.phase === 'prefill' || w.phase === 'train')) issues.push({ path: 'speculative', message: `only for decode or serve, not ${w.phase}` });
  if (w.slo?.tpotSec !== undefined && (w.phase === 'prefill' || w.phase === 'train')) issues.push({ path: 'slo.tpotSec', message: `has no meaning for phase ${w.phase}` });
  return issues;
}

function modelIssues(m: ReturnType<typeof resolveModel>, w: WorkloadFile, file: string): void {
  const issues: Issue[] = [];
  const p = w.parallelism;
  if (m.heads % p.tensor !== 0) issues.push({ path: 'parallelism.tensor', message: `${p.tensor} must divide the model's ${m.heads} attention heads` });
  if (m.intermediateSize % p.tensor !== 0) issues.push({ path: 'parallelism.tensor', message: `${p.tensor} must divide intermediate_size ${m.intermediateSize}` });
  if (p.pipeline > m.layers) issues.push({ path: 'parallelism.pipeline', message: `${p.pipeline} stages exceed the model's ${m.layers} layers` });
  if (p.expert > 1 && !m.moe) issues.push({ path: 'parallelism.expert', message: 'expert parallelism needs a mixture-of-experts model' });
  if (m.moe && m.moe.experts % p.expert !== 0) issues.push({ path: 'parallelism.expert', message: `${p.expert} must divide the model's ${m.moe.experts} experts` });
  if (issues.length > 0) throw new ValidationError(file, issues);
}
