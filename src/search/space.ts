import { ChipdseError, ValidationError, type Issue } from '../errors.js';
import { validate, keysOfSchemaAt, listPresetNames } from '../io/load.js';
import { locate, readLocated, type PresetFolder } from '../io/resolve.js';
import { zodIssues } from '../io/zod-issues.js';
import { badPath, pathParts, setPath } from '../io/paths.js';
import { parseQuantity, type Dimension } from '../units/quantity.js';
import { designData, resolveDesignSource } from '../chip/load.js';
import type { Setting } from '../io/settings.js';
import { designSchema } from '../chip/schema.js';
import { WORKLOAD_PRESETS } from '../workload/load.js';
import { parseMetricLabel, UNKNOWN_METRIC_HINT, type MetricRef } from '../results/metric-ref.js';
import { parameterValues } from './parameter-values.js';
import { spaceSchema, CONSTRAINT_RE, type SpaceFile, type ParameterFile } from './space-schema.js';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SPACES_DIR = fileURLToPath(new URL('../../designs/spaces/', import.meta.url));
export const SPACE_PRESETS: PresetFolder = { what: 'space', dir: SPACES_DIR, label: 'designs/spaces' };

/** One dimension of the space: its possible values, in order (ordinal) or not (categorical). */
export interface Parameter {
  name: string;
  categorical: boolean;
  values: unknown[];
  /** Writes value `v` into a raw design. */
  apply: (design: Record<string, unknown>, v: unknown) => void;
}

export interface Objective {
  metric: MetricRef;
  goal: 'min' | 'max';
}

export interface Constraint {
  text: string;
  metric: MetricRef;
  op: '<=' | '>=' | '==' | '!=' | '<' | '>';
  value: number;
}

export interface Space {
  name: string;
  file: string;
  base: { path: string; data: Record<string, unknown> };
  /** The space file's workloads, resolved: preset names, and absolute paths for files (relative ones were relative to the space file). */
  defaultWorkloads: string[];
  parameters: Parameter[];
  constraints: Constraint[];
  objectives: Objective[];
  reference: number[] | undefined;
  /** Number of points: the product of the parameters' value counts. */
  size: number;
  raw: SpaceFile;
}

export function listSpacePresets(): string[] {
  return listPresetNames(SPACES_DIR);
}

/**
 * A space file for a new search: parsed, then checked for contradictions (see `spaceContradictions`).
 * `baseSet`: `--set` fields written into its base design (after the base's own `extends`).
 */
export function loadSpace(ref: string, baseSet: readonly Setting[] = []): Space {
  const { located, data } = readLocated(ref, SPACE_PRESETS);
  const space = parseSpace(data, located.label, dirname(located.path), baseSet);
  const issues = spaceContradictions(space);
  if (issues.length > 0) throw new ValidationError(space.file, issues);
  return space;
}

const DIMENSIONS: Dimension[] = ['bytes', 'bytesPerSec', 'hertz', 'seconds', 'watts'];

/** A number, or a string with a unit of any dimension, in base units. */
function anyQuantity(x: unknown): number | undefined {
  for (const d of DIMENSIONS) {
    const v = parseQuantity(x, d);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The path's first field exists in the design (deeper fields may be new: they are checked by building a design). */
function pathExists(obj: unknown, path: string): boolean {
  const first = pathParts(path)[0];
  return typeof obj === 'object' && obj !== null && Object.hasOwn(obj, first);
}

/** Fields a parameter of each type reads; any other is a contradiction (min on a list, values on a range). */
const FIELDS_OF_TYPE: Record<ParameterFile['type'], (keyof ParameterFile)[]> = {
  int: ['min', 'max', 'step'],
  pow2: ['min', 'max'],
  values: ['values'],
  choice: ['values'],
};

function makeApply(p: ParameterFile, at: string, base: Record<string, unknown>, issues: Issue[]): Parameter['apply'] {
  if ((p.path === undefined) === (p.set === undefined)) {
    issues.push({ path: at, message: 'give exactly one of path or set' });
    return () => {};
  }
  if (p.path !== undefined) {
    const path = p.path;
    const why = badPath(path);
    if (why) {
      issues.push({ path: `${at}.path`, message: why });
      return () => {};
    }
    if (!pathExists(base, path)) issues.push({ path: `${at}.path`, message: `"${path}" does not lead into the base design` });
    const unit = p.unit;
    if (unit !== undefined) {
      p.values?.forEach((v, j) => {
        if (typeof v !== 'number' && typeof v !== 'string') issues.push({ path: `${at}.values[${j}]`, message: `expected a number to write with unit "${unit}", got ${JSON.stringify(v)}` });
      });
    }
    return (d, v) => setPath(d, path, unit !== undefined && (typeof v === 'number' || typeof v === 'string') ? `${v} ${unit}` : v);
  }
  const entries: [string, number][] = [];
  for (const [path, amount] of Object.entries(p.set!)) {
    const why = badPath(path);
    if (why) {
      issues.push({ path: `${at}.set`, message: why });
      continue;
    }
    const q = anyQuantity(amount);
    if (q === undefined) issues.push({ path: `${at}.set.${path}`, message: `expected a number or a quantity like "24 GB", got ${JSON.stringify(amount)}` });
    if (!pathExists(base, path)) issues.push({ path: `${at}.set`, message: `"${path}" does not lead into the base design` });
    entries.push([path, q ?? 0]);
  }
  if (p.type === 'choice') issues.push({ path: `${at}.set`, message: 'set multiplies numeric values; a choice parameter takes path' });
  return (d, v) => {
    for (const [path, amount] of entries) setPath(d, path, Number(((v as number) * amount).toPrecision(15)));
  };
}

/** A workload of the space file: its preset name, or its absolute path (relative to the space file's folder). */
function spaceWorkload(ref: string, at: string, baseDir: string, issues: Issue[]): string {
  try {
    const l = locate(ref, WORKLOAD_PRESETS, baseDir);
    return l.preset ?? l.path;
  } catch (e) {
    if (!(e instanceof ChipdseError)) throw e;
    issues.push({ path: at, message: e.message });
    return ref;
  }
}

/**
 * Why a hypervolume against `reference` could overflow to Infinity (and be stored as such), or
 * undefined: the volume of the box the reference spans from the origin, which bounds the
 * hypervolume of designs whose objectives are near the origin, must stay well inside a double.
 */
function referenceOverflow(reference: number[]): string | undefined {
  const log10Volume = reference.reduce((s, r) => s + Math.log10(Math.abs(r) + 1), 0);
  if (log10Volume <= 300) return undefined;
  return `the hypervolume against [${reference.join(', ')}] could overflow (the box it spans from the origin is about 1e${Math.round(log10Volume)}); give values nearer the designs' objectives`;
}

function parseMetric(text: string, at: string, issues: Issue[]): MetricRef {
  const ref = parseMetricLabel(text);
  if (ref) return ref;
  issues.push({ path: at, message: `unknown metric "${text}" (${UNKNOWN_METRIC_HINT})` });
  return { name: 'tokensPerSec', workload: undefined, label: text };
}

/**
 * Validates raw space data (a file's, or a stored run's) and builds the space. The checks for
 * contradictions a new search must not start with are `spaceContradictions`, kept apart so a run
 * stored before a check existed still resumes.
 */
export function parseSpace(data: unknown, file: string, baseDir: string, baseSet: readonly Setting[] = []): Space {
  const raw = validate(spaceSchema, data, file, (p) => keysOfSchemaAt(spaceSchema, p));
  const issues: Issue[] = [];
  let base: { path: string; data: Record<string, unknown> };
  if (typeof raw.base === 'string') {
    const ref = raw.base;
    let r: { path: string; data: unknown };
    try {
      r = resolveDesignSource(ref, baseDir);
    } catch (e) {
      if (!(e instanceof ChipdseError)) throw e;
      throw new ChipdseError(e.message.split('\n').map((l) => `${file}: base: ${l}`).join('\n'));
    }
    if (typeof r.data !== 'object' || r.data === null || Array.isArray(r.data)) throw new ChipdseError(`${file}: base: ${r.path} does not hold a design (expected an object)`);
    base = { path: r.path, data: r.data as Record<string, unknown> };
  } else {
    const label = `${file}: base`;
    base = { path: label, data: designData(raw.base, label, { baseDir }).data as Record<string, unknown> };
  }
  if (baseSet.length > 0) base = { path: base.path, data: designData(base.data, base.path, { set: baseSet }).data as Record<string, unknown> };
  const workloads = raw.workloads?.map((ref, i) => spaceWorkload(ref, `workloads[${i}]`, baseDir, issues));
  const names = new Set<string>();
  const parameters: Parameter[] = raw.parameters.map((p, i) => {
    const at = `parameters[${i}]`;
    if (names.has(p.name)) issues.push({ path: `${at}.name`, message: `duplicate parameter name "${p.name}"` });
    names.add(p.name);
    const values = parameterValues(p, at, issues);
    return { name: p.name, categorical: p.type === 'choice', values, apply: makeApply(p, at, base.data, issues) };
  });
  const objectives: Objective[] = raw.objectives.map((o, i) => ({ metric: parseMetric(o.metric, `objectives[${i}].metric`, issues), goal: o.goal }));
  const constraints: Constraint[] = raw.constraints.map((c, i) => {
    const m = c.match(CONSTRAINT_RE)!;
    const at = `constraints[${i}]`;
    const value = m[3] === 'true' ? 1 : m[3] === 'false' ? 0 : Number(m[3]);
    if (!Number.isFinite(value)) issues.push({ path: at, message: `expected a number, true or false after ${m[2]}, got "${m[3]}"` });
    return { text: c, metric: parseMetric(m[1], at, issues), op: m[2] as Constraint['op'], value };
  });
  if (raw.reference && raw.reference.length !== raw.objectives.length) {
    issues.push({ path: 'reference', message: `expected ${raw.objectives.length} values, one per objective, got ${raw.reference.length}` });
  } else if (raw.reference) {
    const why = referenceOverflow(raw.reference);
    if (why) issues.push({ path: 'reference', message: why });
  }
  if (issues.length > 0) throw new ValidationError(file, issues);
  const size = parameters.reduce((s, p) => s * p.values.length, 1);
  // The resolved workloads go into `raw` too: a stored run's self-contained space then names them wherever it is read.
  const resolved = workloads ? { ...raw, workloads } : raw;
  const space: Space = { name: raw.name, file, base, defaultWorkloads: workloads ?? [], parameters, constraints, objectives, reference: raw.reference, size, raw: resolved };
  // A path the design schema does not know would make every design invalid: say so now, against the space file.
  const corner = designForGenome(space, parameters.map(() => 0));
  const check = designSchema.safeParse(corner);
  if (!check.success) {
    const unknown = check.error.issues.filter((i) => i.code === 'unrecognized_keys');
    if (unknown.length > 0) {
      throw new ValidationError(file, unknown.map((i) => ({ path: 'parameters', message: `writes ${(i as { keys: string[] }).keys.map((k) => [...i.path, k].join('.')).join(', ')}, which designs do not have` })));
    }
  }
  return space;
}

/**
 * What makes a space contradictory or the search over it worthless, though it parses: fields its
 * parameter types do not read (min on a list, values on a range), an unknown unit, a `set` of
 * nothing, the same objective twice, and contradictions with the design schema (below).
 */
export function spaceContradictions(space: Space): Issue[] {
  const issues: Issue[] = [];
  space.raw.parameters.forEach((p, i) => {
    const at = `parameters[${i}]`;
    for (const k of ['min', 'max', 'step', 'values'] as const) {
      if (p[k] !== undefined && !FIELDS_OF_TYPE[p.type].includes(k)) issues.push({ path: `${at}.${k}`, message: `not used by type ${p.type} (it reads ${FIELDS_OF_TYPE[p.type].join(', ')})` });
    }
    if (p.unit !== undefined && p.set !== undefined) issues.push({ path: `${at}.unit`, message: 'only used with path (set takes a quantity per field)' });
    else if (p.unit !== undefined && anyQuantity(`1 ${p.unit}`) === undefined) issues.push({ path: `${at}.unit`, message: `unknown unit "${p.unit}" (expected a unit such as B, MiB, GB, TB/s, GHz, us or W)` });
    if (p.set !== undefined && Object.keys(p.set).length === 0) issues.push({ path: `${at}.set`, message: 'expected at least one field' });
    if (p.set !== undefined) {
      p.values?.forEach((v, j) => {
        if (typeof v !== 'number' || !Number.isFinite(v)) issues.push({ path: `${at}.values[${j}]`, message: `expected a number (set multiplies it into each field), got ${JSON.stringify(v)}` });
      });
    }
  });
  space.raw.objectives.forEach((o, i) => {
    const first = space.raw.objectives.findIndex((x) => x.metric === o.metric);
    if (first < i) issues.push({ path: `objectives[${i}].metric`, message: `"${o.metric}" is already objectives[${first}]` });
  });
  if (issues.length > 0) return issues;
  const corner = designSchema.safeParse(designForGenome(space, space.parameters.map(() => 0)));
  return designContradictions(space, corner.success ? [] : zodIssues(corner.error));
}

/** Design paths a parameter writes, as dotted fields (compute.matrixUnits.0.count). */
function writtenPaths(p: ParameterFile): string[] {
  const paths = p.path !== undefined ? [p.path] : Object.keys(p.set ?? {});
  return paths.map((x) => pathParts(x).join('.'));
}

/** Whether a design issue at `issuePath` (a.b[0].c) is about a field among `written`, or inside or above one. */
function touches(issuePath: string, written: string[]): boolean {
  const at = pathParts(issuePath).join('.');
  return written.some((w) => at === w || at.startsWith(`${w}.`) || w.startsWith(`${at}.`));
}

/** Values of a parameter tried when looking for one that gives a valid design: all, or 64 spread over the range. */
const VALUES_TRIED = 64;

/**
 * Contradictions between the space and the design schema, which would make every design of the
 * space invalid and the whole search worthless: a field of the base design that no parameter
 * writes and that is invalid (so every design is), or a parameter none of whose values gives a
 * valid field (a unit of the wrong dimension, strings where a number is expected, sizes out of range).
 */
function designContradictions(space: Space, cornerIssues: Issue[]): Issue[] {
  const issues: Issue[] = [];
  const written = space.raw.parameters.map(writtenPaths);
  for (const i of cornerIssues) {
    if (written.some((w) => touches(i.path, w))) continue;
    if (i.path === 'name') issues.push({ path: 'name', message: `designs are named "${space.name}#<genome>", which the design schema rejects: ${i.message}` });
    else issues.push({ path: 'base', message: `${i.path}: ${i.message} (no parameter sets it, so every design of the space would be invalid)` });
  }
  const corner = space.parameters.map(() => 0);
  space.parameters.forEach((p, k) => {
    const n = p.values.length;
    const tried = n <= VALUES_TRIED ? [...Array(n).keys()] : [...new Set(Array.from({ length: VALUES_TRIED }, (_, j) => Math.round((j * (n - 1)) / (VALUES_TRIED - 1))))];
    let first: string | undefined;
    for (const idx of tried) {
      const g = [...corner];
      g[k] = idx;
      const r = designSchema.safeParse(designForGenome(space, g));
      const own = r.success ? [] : zodIssues(r.error).filter((i) => touches(i.path, written[k]));
      if (own.length === 0) return;
      first ??= `${p.name} = ${JSON.stringify(p.values[idx])} gives ${own[0].path}: ${own[0].message}`;
    }
    issues.push({ path: `parameters[${k}]`, message: `no value${n > tried.length ? ` of the ${tried.length} tried` : ''} makes a valid design (${first})` });
  });
  return issues;
}

/** The raw design for a genome (one value index per parameter). */
export function designForGenome(space: Space, genome: readonly number[]): Record<string, unknown> {
  const d = structuredClone(space.base.data);
  space.parameters.forEach((p, i) => p.apply(d, p.values[genome[i]]));
  d.name = `${space.name}#${genome.join('.')}`;
  return d;
}

export function genomeParams(space: Space, genome: readonly number[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const ps = space.parameters;
  for (let i = 0; i < ps.length; i++) out[ps[i].name] = ps[i].values[genome[i]];
  return out;
}

/** The space's file with its base design inlined: a run stores this, so it can be resumed or replayed exactly. */
export function selfContained(space: Space): Record<string, unknown> {
  return { ...space.raw, base: space.base.data };
}
