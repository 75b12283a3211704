import { ChipdseError, ValidationError, type Issue } from '../errors.js';
import { readDataFile, validate, keysOfSchemaAt } from '../io/load.js';
import { parseQuantity, type Dimension } from '../units/quantity.js';
import { resolveDesignSource } from '../chip/load.js';
import { designSchema } from '../chip/schema.js';
import { METRIC_NAMES, type MetricName } from '../eval/types.js';
import { spaceSchema, CONSTRAINT_RE, type SpaceFile, type ParameterFile } from './space-schema.js';
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SPACES_DIR = fileURLToPath(new URL('../../designs/spaces/', import.meta.url));

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

/** A metric of all workloads (aggregated) or of one, by its name. */
export interface MetricRef {
  name: MetricName;
  workload: string | undefined;
  label: string;
}

export interface Space {
  name: string;
  file: string;
  base: { path: string; data: Record<string, unknown> };
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
  if (!existsSync(SPACES_DIR)) return [];
  return readdirSync(SPACES_DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json')).map((f) => basename(f, '.json')).sort();
}

export function loadSpace(ref: string): Space {
  const looksLikePath = ref.includes('/') || /\.(json|ya?ml)$/i.test(ref);
  const preset = join(SPACES_DIR, `${ref}.json`);
  if (!looksLikePath && existsSync(preset)) return parseSpace(readDataFile(preset), `designs/spaces/${ref}.json`, SPACES_DIR);
  if (!looksLikePath && !existsSync(ref)) throw new ChipdseError(`unknown space "${ref}": not a preset (${listSpacePresets().join(', ')}) nor a file`);
  return parseSpace(readDataFile(ref), ref, dirname(resolve(ref)));
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

/** Writes `value` at a dotted path with [i] indices (memory.sram.bytes, compute.matrixUnits[0].count). */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let node: Record<string, unknown> | unknown[] = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i];
    let next = (node as Record<string, unknown>)[key];
    if (next === undefined || next === null || typeof next !== 'object') {
      next = /^\d+$/.test(parts[i + 1]) ? [] : {};
      (node as Record<string, unknown>)[key] = next;
    }
    node = next as Record<string, unknown>;
  }
  (node as Record<string, unknown>)[parts[parts.length - 1]] = value;
}

/** The path's first field exists in the design (deeper fields may be new: they are checked by building a design). */
function pathExists(obj: unknown, path: string): boolean {
  const first = path.split(/[.[]/)[0];
  return typeof obj === 'object' && obj !== null && first in obj;
}

function parameterValues(p: ParameterFile, at: string, issues: Issue[]): unknown[] {
  switch (p.type) {
    case 'int': {
      if (p.min === undefined || p.max === undefined) {
        issues.push({ path: at, message: 'type int needs min and max' });
        return [];
      }
      const step = p.step ?? 1;
      if (p.min > p.max) issues.push({ path: `${at}.min`, message: `min ${p.min} is above max ${p.max}: the range is empty` });
      const out: number[] = [];
      for (let v = p.min; v <= p.max + 1e-9 * step && out.length <= 1e6; v += step) out.push(Number(v.toPrecision(12)));
      if (out.length > 1e6) issues.push({ path: at, message: 'more than a million values; raise step' });
      return out;
    }
    case 'pow2': {
      if (p.min === undefined || p.max === undefined) {
        issues.push({ path: at, message: 'type pow2 needs min and max' });
        return [];
      }
      const isPow2 = (x: number) => Number.isInteger(Math.log2(x));
      if (!isPow2(p.min)) issues.push({ path: `${at}.min`, message: `expected a power of two, got ${p.min}` });
      if (!isPow2(p.max)) issues.push({ path: `${at}.max`, message: `expected a power of two, got ${p.max}` });
      if (p.min > p.max) issues.push({ path: `${at}.min`, message: `min ${p.min} is above max ${p.max}: the range is empty` });
      const out: number[] = [];
      for (let v = p.min; v <= p.max; v *= 2) out.push(v);
      return out;
    }
    case 'values':
    case 'choice': {
      if (!p.values) {
        issues.push({ path: `${at}.values`, message: `type ${p.type} needs a list of values` });
        return [];
      }
      const keys = p.values.map((v) => JSON.stringify(v));
      if (new Set(keys).size !== keys.length) issues.push({ path: `${at}.values`, message: 'values must be distinct' });
      return p.values;
    }
  }
}

function makeApply(p: ParameterFile, at: string, base: Record<string, unknown>, issues: Issue[]): Parameter['apply'] {
  if ((p.path === undefined) === (p.set === undefined)) {
    issues.push({ path: at, message: 'give exactly one of path or set' });
    return () => {};
  }
  if (p.path !== undefined) {
    const path = p.path;
    if (!pathExists(base, path)) issues.push({ path: `${at}.path`, message: `"${path}" does not lead into the base design` });
    const unit = p.unit;
    return (d, v) => setPath(d, path, unit !== undefined ? `${v} ${unit}` : v);
  }
  const entries: [string, number][] = [];
  for (const [path, amount] of Object.entries(p.set!)) {
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

function parseMetric(text: string, at: string, issues: Issue[]): MetricRef {
  const known = METRIC_NAMES as readonly string[];
  if (known.includes(text)) return { name: text as MetricName, workload: undefined, label: text };
  const dot = text.indexOf(':');
  if (dot > 0 && known.includes(text.slice(dot + 1))) return { name: text.slice(dot + 1) as MetricName, workload: text.slice(0, dot), label: text };
  issues.push({ path: at, message: `unknown metric "${text}" (expected one of ${METRIC_NAMES.join(', ')}, or WORKLOAD:metric)` });
  return { name: 'tokensPerSec', workload: undefined, label: text };
}

export function parseSpace(data: unknown, file: string, baseDir: string): Space {
  const raw = validate(spaceSchema, data, file, (p) => keysOfSchemaAt(spaceSchema, p));
  const issues: Issue[] = [];
  let base: { path: string; data: Record<string, unknown> };
  if (typeof raw.base === 'string') {
    const ref = raw.base.includes('/') && !isAbsolute(raw.base) ? join(baseDir, raw.base) : raw.base;
    const r = resolveDesignSource(ref);
    base = { path: r.path, data: r.data as Record<string, unknown> };
  } else {
    base = { path: `${file}: base`, data: raw.base as Record<string, unknown> };
  }
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
  }
  if (issues.length > 0) throw new ValidationError(file, issues);
  const size = parameters.reduce((s, p) => s * p.values.length, 1);
  const space: Space = { name: raw.name, file, base, defaultWorkloads: raw.workloads ?? [], parameters, constraints, objectives, reference: raw.reference, size, raw };
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

/** The raw design for a genome (one value index per parameter). */
export function designForGenome(space: Space, genome: readonly number[]): Record<string, unknown> {
  const d = structuredClone(space.base.data);
  space.parameters.forEach((p, i) => p.apply(d, p.values[genome[i]]));
  d.name = `${space.name}#${genome.join('.')}`;
  return d;
}

export function genomeParams(space: Space, genome: readonly number[]): Record<string, unknown> {
  return Object.fromEntries(space.parameters.map((p, i) => [p.name, p.values[genome[i]]]));
}

export const genomeKey = (g: readonly number[]) => g.join('.');
