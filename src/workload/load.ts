import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChipdseError, ValidationError, type Issue } from '../errors.js';
import { resolveExtends, withOrigins } from '../io/extends.js';
import { deepFreeze } from '../io/freeze.js';
import { validate, keysOfSchemaAt, listPresetNames, inField } from '../io/load.js';
import { readLocated, type PresetFolder } from '../io/resolve.js';
import { applySettings, type Setting } from '../io/settings.js';
import { resolveModel } from './model.js';
import { toPrecision } from './precision.js';
import { workloadSchema, traceFileSchema, type WorkloadFile } from './schema.js';
import { servingIssues, servingOptions } from './serving-options.js';
import { traceFileRun } from './trace-file.js';
import type { Workload } from './workload.js';

export const WORKLOADS_DIR = fileURLToPath(new URL('../../workloads/', import.meta.url));
export const WORKLOAD_PRESETS: PresetFolder = { what: 'workload', dir: WORKLOADS_DIR, label: 'workloads' };

export function listWorkloadPresets(): string[] {
  return listPresetNames(WORKLOADS_DIR);
}

/** The fields of a workload that hold paths: a parent's (through `extends`) stay relative to the parent. */
const PATH_FIELDS = [['model'], ['trace'], ['speculative', 'drafter'], ['mix', '*', 'workload']] as const;

/**
 * Loads a workload by preset name or path (relative to `fromDir`, the folder of the file that
 * names it; the working folder when undefined), with `--set` fields when given. The workload comes
 * back frozen.
 */
export function loadWorkload(ref: string, fromDir?: string, set: readonly Setting[] = []): Workload {
  const { located, data } = readLocated(ref, WORKLOAD_PRESETS, fromDir);
  return parseWorkload(data, located.label, dirname(located.path), set);
}

/**
 * Validates raw workload data (`extends` followed, then `set` written) and builds the workload,
 * frozen. Relative paths inside it (`model`, `trace`, `mix[].workload`, `speculative.drafter`,
 * `extends`) resolve against `baseDir`, the folder of the file it came from.
 */
export function parseWorkload(data: unknown, file: string, baseDir = process.cwd(), set: readonly Setting[] = []): Workload {
  return deepFreeze(buildWorkload(data, file, baseDir, 0, set));
}

function buildWorkload(data: unknown, file: string, baseDir: string, depth: number, set: readonly Setting[] = []): Workload {
  const ext = applySettings(resolveExtends(data, file, baseDir, WORKLOAD_PRESETS, { pathFields: PATH_FIELDS }), set);
  return withOrigins(ext, file, () => buildResolved(ext.data, file, baseDir, depth));
}

function buildResolved(data: unknown, file: string, baseDir: string, depth: number): Workload {
  const w = validate(workloadSchema, data, file, (p) => keysOfSchemaAt(workloadSchema, p));
  const issues = crossFieldIssues(w);
  if (issues.length > 0) throw new ValidationError(file, issues);
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
      const field = `mix[${i}].workload`;
      const sub =
        typeof item.workload === 'string'
          ? (() => {
              const { located, data: subData } = inField(file, field, () => readLocated(item.workload as string, WORKLOAD_PRESETS, baseDir));
              return buildWorkload(subData, located.label, dirname(located.path), depth + 1);
            })()
          : buildWorkload(item.workload, `${file}: ${field}`, baseDir, depth + 1);
      return { workload: sub, weight: item.weight };
    });
    return { ...baseFields(w, name, file, precision), serving: servingOptions(w, file, baseDir), phase: mix[0].workload.phase, model: undefined, traceFile: undefined, mix };
  }
  const model = w.model !== undefined ? resolveModel(w.model, file, 'model', baseDir) : undefined;
  const traceFile = w.trace !== undefined ? readTraceFile(w.trace, file, baseDir) : undefined;
  if (model) modelIssues(model, w, file);
  const speculative = w.speculative
    ? { drafter: resolveModel(w.speculative.drafter, file, 'speculative.drafter', baseDir), draftTokens: w.speculative.draftTokens, acceptanceRate: w.speculative.acceptanceRate }
    : undefined;
  const serving = servingOptions(w, file, baseDir);
  return { ...baseFields(w, name, file, precision), serving, phase: w.phase ?? 'prefill', model, traceFile, speculative, mix: undefined };
}

/** A workload's trace file: a path (trace files have no presets), relative to the workload's folder. */
function readTraceFile(ref: string, file: string, baseDir: string) {
  const { located, data } = inField(file, 'trace', () => readLocated(ref, undefined, baseDir));
  return traceFileRun(validate(traceFileSchema, data, located.label));
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
    deployment: w.deployment,
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
  if (w.phase === 'train' && typeof w.batch === 'number' && w.batch < p.data * p.pipeline) {
    issues.push({ path: 'batch', message: `must be at least data x pipeline = ${p.data * p.pipeline} (one sequence per replica and stage)` });
  }
  if (w.phase !== 'train' && typeof w.batch === 'number' && w.batch < p.pipeline) {
    issues.push({ path: 'batch', message: `must be at least pipeline = ${p.pipeline} (the sequences in flight per replica fill every stage)` });
  }
  issues.push(...servingIssues(w));
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
  const pp = w.serving?.disaggregated?.prefillParallelism;
  if (pp) {
    const at = 'serving.disaggregated.prefillParallelism';
    if (m.heads % pp.tensor !== 0) issues.push({ path: `${at}.tensor`, message: `${pp.tensor} must divide the model's ${m.heads} attention heads` });
    if (m.intermediateSize % pp.tensor !== 0) issues.push({ path: `${at}.tensor`, message: `${pp.tensor} must divide intermediate_size ${m.intermediateSize}` });
    if (pp.pipeline > m.layers) issues.push({ path: `${at}.pipeline`, message: `${pp.pipeline} stages exceed the model's ${m.layers} layers` });
    if ((pp.tensor * pp.data) % pp.expert !== 0) issues.push({ path: `${at}.expert`, message: `must divide tensor x data = ${pp.tensor * pp.data}` });
    if (pp.expert > 1 && (!m.moe || m.moe.experts % pp.expert !== 0)) issues.push({ path: `${at}.expert`, message: m.moe ? `${pp.expert} must divide the model's ${m.moe.experts} experts` : 'expert parallelism needs a mixture-of-experts model' });
    if (pp.context > 1 && w.inputTokens % pp.context !== 0) issues.push({ path: `${at}.context`, message: `${pp.context} must divide inputTokens ${w.inputTokens}` });
  }
  if (issues.length > 0) throw new ValidationError(file, issues);
}
