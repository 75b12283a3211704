import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { designSchema } from '../chip/schema.js';
import { buildChip, crossFieldIssues } from '../chip/build.js';
import { parseDesign } from '../chip/load.js';
import type { Chip } from '../chip/chip.js';
import { ValidationError } from '../errors.js';
import { childSchema, unwrapSchema, type Schema } from '../io/schema-walk.js';
import { genomeKey } from '../results/point.js';
import { designForGenome, type Parameter, type Space } from './space.js';

/**
 * Chips of a space without validating every design whole. Validating a design (zod) and copying
 * the base design for each genome cost more than evaluating it on a workload; but a genome's
 * design is the base design with a few fields replaced, and the design schema validates each
 * field on its own. So the base is validated once, and every value of every parameter once, at
 * the place it is written to (its "root": the field itself, or the first container the base
 * lacks, which the value then creates). A genome's validated design is the validated base with
 * those validated values put in (copying only the containers on their paths); the cross-field
 * rules and the chip build then run as in `parseDesign`.
 *
 * Where this could differ from `parseDesign(designForGenome(...))` it is not used: a container
 * on a written path with a check of its own (a refinement over several fields), a path through
 * a record, union or transform, two parameters writing into the same place, a value that fails
 * its own validation (that genome takes the full path, so its error messages are the usual
 * ones), or a few sample genomes that do not give identical chips (or identical errors) both ways.
 */
export interface DesignTemplate {
  /** The chip of a genome (`key`: its genomeKey); undefined where the full validation must decide. Throws ValidationError as parseDesign does. */
  build(genome: readonly number[], file: string, key?: string): Chip | undefined;
}

/**
 * Checks that a write into a container cannot break: writes never add or remove array elements
 * here, so a length check holds for every genome once it holds for the base. Any other check on
 * a container (a refinement over several fields) must see the whole container.
 */
const LOCAL_CHECKS = [z.core.$ZodCheckMinLength, z.core.$ZodCheckMaxLength, z.core.$ZodCheckLengthEquals];

const onlyLocalChecks = (s: Schema): boolean => (s.def.checks ?? []).every((c) => LOCAL_CHECKS.some((C) => c instanceof C));

const isContainer = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/** Where a write to `parts` is validated: the root's length in parts and its schema; undefined when that cannot be done on its own. */
function locateRoot(base: Record<string, unknown>, parts: readonly string[]): { length: number; schema: Schema } | undefined {
  let schema: Schema = designSchema;
  let raw: unknown = base;
  for (let i = 0; i < parts.length; i++) {
    const container = unwrapSchema(schema);
    if (!onlyLocalChecks(container)) return undefined;
    const key = parts[i];
    const child = childSchema(container, key);
    if (!child) return undefined;
    const next = isContainer(raw) && Object.hasOwn(raw, key) ? raw[key] : undefined;
    if (next === undefined) return container instanceof z.ZodArray ? undefined : { length: i + 1, schema: child };
    if (i === parts.length - 1 || !isContainer(next)) return { length: i + 1, schema: child };
    raw = next;
    schema = child;
  }
  return undefined;
}

function getAt(obj: unknown, parts: readonly string[]): unknown {
  let node = obj;
  for (const k of parts) {
    if (!isContainer(node) || !Object.hasOwn(node, k)) return undefined;
    node = node[k];
  }
  return node;
}

/** Paths of what `apply` wrote into an empty design: containers it created are walked, written values are leaves. */
function writtenLeaves(sparse: unknown, value: unknown, at: string[] = [], out: string[][] = []): string[][] {
  if (at.length > 0 && (sparse === value || !isContainer(sparse))) {
    out.push(at);
    return out;
  }
  for (const k of Object.keys(sparse as object)) writtenLeaves((sparse as Record<string, unknown>)[k], value, [...at, k], out);
  return out;
}

const startsWith = (a: readonly string[], b: readonly string[]) => b.length <= a.length && b.every((k, i) => a[i] === k);

interface Slot {
  parts: string[];
  /**
   * The validated value at the root by value index of the parameter: null where it fails
   * validation, or where that value writes outside the roots the first value writes (the full
   * path then decides); undefined until a design first uses it (`fill` validates it, for every
   * root of the parameter, and keeps it): a space of a million values per parameter costs nothing
   * until its designs are evaluated, in each worker alike.
   */
  table: ({ value: unknown } | null | undefined)[];
  fill: (j: number) => { value: unknown } | null;
}

function parameterSlots(p: Parameter, base: Record<string, unknown>): Slot[] | undefined {
  const n = p.values.length;
  if (n === 0) return undefined;
  const sparseOf = (j: number) => {
    const d: Record<string, unknown> = {};
    p.apply(d, p.values[j]);
    return d;
  };
  const roots: string[][] = [];
  const schemas: Schema[] = [];
  for (const leaf of writtenLeaves(sparseOf(0), p.values[0])) {
    const r = locateRoot(base, leaf);
    if (!r) return undefined;
    const parts = leaf.slice(0, r.length);
    if (roots.some((q) => q.join('\0') === parts.join('\0'))) continue;
    roots.push(parts);
    schemas.push(r.schema);
  }
  const tables: ({ value: unknown } | null | undefined)[][] = roots.map(() => new Array(n));
  /** Validates value index j at every root; kept where j is an index of the values. */
  const fillAll = (j: number) => {
    const d = sparseOf(j);
    const fits = writtenLeaves(d, p.values[j]).every((leaf) => roots.some((r) => startsWith(leaf, r)));
    const parsed = roots.map((parts, k) => {
      if (!fits) return null;
      const r = schemas[k].safeParse(getAt(d, parts));
      return r.success ? { value: r.data } : null;
    });
    if (Number.isInteger(j) && j >= 0 && j < n) parsed.forEach((v, k) => (tables[k][j] = v));
    return parsed;
  };
  return roots.map((parts, k) => ({ parts, table: tables[k], fill: (j: number) => tables[k][j] ?? fillAll(j)[k] }));
}

/**
 * The containers a design copies from the validated base before its values go in: every container
 * on a written path, parents before children (the same for every genome of the space). Each is
 * written into its parent, which is the design itself (index -1) or an earlier copy.
 */
function copyPlan(slots: Slot[]): { path: string[]; parent: number; key: string }[] {
  const seen = new Set<string>();
  const paths: string[][] = [];
  for (const slot of slots) {
    for (let i = 1; i < slot.parts.length; i++) {
      const path = slot.parts.slice(0, i);
      if (!seen.has(path.join('\0'))) {
        seen.add(path.join('\0'));
        paths.push(path);
      }
    }
  }
  paths.sort((a, b) => a.length - b.length);
  return paths.map((path) => ({ path, parent: containerIndex(paths, path.slice(0, -1)), key: path[path.length - 1] }));
}

/** Index of the container at `path` among the copied ones; -1 for the design itself. */
function containerIndex(paths: string[][], path: readonly string[]): number {
  if (path.length === 0) return -1;
  const i = paths.findIndex((p) => p.length === path.length && startsWith(p, path));
  if (i < 0) throw new Error(`design template: no copied container at ${path.join('.')}`);
  return i;
}

/**
 * The keys of a container of the validated base when it is a plain object of enumerable data
 * properties (so an object literal of them copies it as a spread would); undefined otherwise.
 */
function literalKeys(x: unknown): string[] | undefined {
  if (!isContainer(x) || Array.isArray(x) || Object.getPrototypeOf(x) !== Object.prototype || Object.getOwnPropertySymbols(x).length > 0) return undefined;
  const props = Object.getOwnPropertyDescriptors(x);
  const keys = Object.keys(props);
  return keys.some((k) => k === '__proto__' || !props[k].enumerable || !('value' in props[k])) ? undefined : keys;
}

/**
 * The indices of a base array that an array literal copies as slice() would: a short plain array
 * without holes or other own properties, written at its indices only; undefined otherwise.
 */
function literalElements(x: unknown, writes: Write[]): number[] | undefined {
  if (!Array.isArray(x) || Object.getPrototypeOf(x) !== Array.prototype || x.length > 16) return undefined;
  const indices = x.map((_, i) => i);
  const own = Reflect.ownKeys(x);
  if (own.length !== x.length + 1 || indices.some((i) => !Object.hasOwn(x, i))) return undefined;
  return writes.every((w) => indices.some((i) => String(i) === w.key)) ? indices : undefined;
}

/** A written field of a copied container: a copy below it, a parameter's value, or the design's name. */
interface Write {
  key: string;
  expr: string;
}

/**
 * The code that copies one container (`to`) of the validated base (`from`) with `writes` in it,
 * as the copy-then-write of the generic template did: a plain object as an object literal of the
 * base's keys in their order with the written ones in place (a function of its own per container
 * shape: one spread over the dozen container shapes of a design was a slow, megamorphic copy),
 * keys the base lacks after them in the same literal, in the order they are written; a short plain
 * array as an array literal of its elements, another sliced; anything else spread. Each written
 * field then is a store the compiler sees, not a store by a key in a variable.
 */
function copyCode(to: string, from: string, base: unknown, writes: Write[]): string {
  const q = (k: string) => JSON.stringify(k);
  const byKey = new Map(writes.map((w) => [w.key, w.expr]));
  const elements = literalElements(base, writes);
  if (elements) return `const ${to} = [${elements.map((i) => byKey.get(String(i)) ?? `${from}[${i}]`).join(', ')}];`;
  const keys = literalKeys(base);
  if (!keys) {
    const copy = Array.isArray(base) ? `${from}.slice()` : `{ ...${from} }`;
    return [`const ${to} = ${copy};`, ...writes.map((w) => `${to}[${q(w.key)}] = ${w.expr};`)].join('\n');
  }
  const fields = keys.map((k) => `${q(k)}: ${byKey.get(k) ?? `${from}[${q(k)}]`}`);
  // Keys the base lacks go last in the literal, in the order written (as stores after it would put them); `__proto__` only by a store.
  const added = writes.filter((w) => !keys.includes(w.key));
  fields.push(...added.filter((w) => w.key !== '__proto__').map((w) => `${q(w.key)}: ${w.expr}`));
  const stores = added.filter((w) => w.key === '__proto__').map((w) => `${to}[${q(w.key)}] = ${w.expr};`);
  return [`const ${to} = { ${fields.join(', ')} };`, ...stores].join('\n');
}

/** A genome's design: the validated base with the genome's validated values and its name put in; undefined where a value fails validation. */
type DesignMaker = (genome: readonly number[], name: string) => Record<string, unknown> | undefined;

/**
 * The design maker of a space, compiled to straight-line code: each slot's validated value read
 * from a table by the genome's value index (filled by `Slot.fill` on first use), then the
 * containers on written paths copied with the values in (see copyCode), children before parents.
 */
function compileDesignMaker(base: Record<string, unknown>, slots: Slot[][], plan: { path: string[]; parent: number; key: string }[]): DesignMaker {
  const flat = slots.flatMap((s, i) => s.map((slot) => ({ slot, param: i })));
  /** A slot's value for index j, validated on first use (see Slot.table). */
  const miss = (s: number, j: number) => flat[s].slot.fill(j);
  const planPaths = plan.map((c) => c.path);
  const writes: Write[][] = plan.map(() => []);
  const top: Write[] = [];
  const into = (parent: number) => (parent < 0 ? top : writes[parent]);
  plan.forEach((c, j) => into(c.parent).push({ key: c.key, expr: `c${j}` }));
  flat.forEach(({ slot }, s) => into(containerIndex(planPaths, slot.parts.slice(0, -1))).push({ key: slot.parts[slot.parts.length - 1], expr: `w${s}.value` }));
  top.push({ key: 'name', expr: 'name' });
  const lines: string[] = [];
  flat.forEach(({ param }, s) => lines.push(`let w${s} = T${s}[g[${param}]];`, `if (w${s} === undefined) w${s} = miss(${s}, g[${param}]);`, `if (w${s} === null) return undefined;`));
  for (let j = plan.length - 1; j >= 0; j--) lines.push(copyCode(`c${j}`, `B${j}`, getAt(base, plan[j].path), writes[j]));
  lines.push(copyCode('d', 'b', base, top), 'return d;');
  const bound = [...plan.map((_, j) => `const B${j} = B[${j}];`), ...flat.map((_, s) => `const T${s} = T[${s}];`)];
  const factory = new Function('b', 'B', 'T', 'miss', `${bound.join('\n')}\nreturn function makeDesign(g, name) {\n${lines.join('\n')}\n};`);
  return factory(base, plan.map((c) => getAt(base, c.path)), flat.map((f) => f.slot.table), miss) as DesignMaker;
}

/**
 * Whether a design name passes `schema`: its length bounds read once where the schema is a plain
 * string with length checks alone (the design schema's name: a zod parse per design cost more
 * than all the template's writes), else the schema itself. A string of lengths min to max is
 * exactly what such a schema accepts (zod measures `.length` too).
 */
export function nameCheck(schema: Schema): (name: string) => boolean {
  const checks = schema.def.checks ?? [];
  if (schema instanceof z.ZodString && schema.def.type === 'string' && schema.format === null && !schema.def.coerce && checks.every((c) => c instanceof z.core.$ZodCheckMinLength || c instanceof z.core.$ZodCheckMaxLength)) {
    const min = schema.minLength ?? 0;
    const max = schema.maxLength ?? Infinity;
    return (name) => name.length >= min && name.length <= max;
  }
  return (name) => schema.safeParse(name).success;
}

export function compileDesignTemplate(space: Space): DesignTemplate | undefined {
  const base = space.base.data;
  const parsedBase = designSchema.safeParse(base);
  if (!parsedBase.success) return undefined;
  const slots: Slot[][] = [];
  const taken: string[][] = [['name']];
  for (const p of space.parameters) {
    const s = parameterSlots(p, base);
    if (!s) return undefined;
    for (const slot of s) {
      if (taken.some((t) => startsWith(slot.parts, t) || startsWith(t, slot.parts))) return undefined;
      // The containers above the root must be in the validated base, to be copied and written into.
      if (!isContainer(getAt(parsedBase.data, slot.parts.slice(0, -1)))) return undefined;
    }
    taken.push(...s.map((slot) => slot.parts));
    slots.push(s);
  }
  const nameFits = nameCheck(designSchema.shape.name);
  // Each copied container is the same object of the base for every genome (the copies are written into, the base never).
  const make = compileDesignMaker(parsedBase.data as Record<string, unknown>, slots, copyPlan(slots.flat()));
  const template: DesignTemplate = {
    build(genome, file, key = genomeKey(genome)) {
      const name = `${space.name}#${key}`;
      if (!nameFits(name)) return undefined;
      const d = make(genome, name);
      if (d === undefined) return undefined;
      const design = d as unknown as Parameters<typeof buildChip>[0];
      const issues = crossFieldIssues(design);
      if (issues.length > 0) throw new ValidationError(file, issues);
      return buildChip(design);
    },
  };
  return agreesWithFullValidation(space, template) ? template : undefined;
}

/** The outcome of building a genome's chip: the chip, or the message of the ValidationError. */
function outcome(f: () => Chip | undefined): Chip | string | undefined {
  try {
    return f();
  } catch (e) {
    if (e instanceof ValidationError) return `ValidationError: ${e.message}`;
    throw e;
  }
}

/** A guard against drift of the schema or of parseDesign: sample genomes give identical chips (or errors) both ways. */
function agreesWithFullValidation(space: Space, template: DesignTemplate): boolean {
  const n = space.parameters.map((p) => p.values.length);
  const samples = [n.map(() => 0), n.map((k) => k - 1), ...[1, 2, 3, 4, 5, 6].map((s) => n.map((k, i) => (s * 7919 + i * 104729) % k))];
  for (const g of samples) {
    const fast = outcome(() => template.build(g, 'check'));
    if (fast === undefined) continue;
    const full = outcome(() => parseDesign(designForGenome(space, g), 'check').chip);
    if (!isDeepStrictEqual(fast, full)) return false;
  }
  return true;
}

const TEMPLATES = new WeakMap<Space, DesignTemplate | null>();
let templatesOn = true;

/** Turns the template off (every design validated whole) or back on: for comparisons in tests and benchmarks. */
export function useDesignTemplates(on: boolean): void {
  templatesOn = on;
}

function compileOrNothing(space: Space): DesignTemplate | null {
  try {
    return compileDesignTemplate(space) ?? null;
  } catch {
    // Whatever stops the template (a parameter that cannot be applied, say) is reported by the full path.
    return null;
  }
}

/** The chip of a genome, as `parseDesign(designForGenome(space, genome), file).chip` gives it (and the same ValidationError). */
export function chipForGenome(space: Space, genome: readonly number[], file: string, key?: string): Chip {
  if (!templatesOn) return parseDesign(designForGenome(space, genome), file).chip;
  let template = TEMPLATES.get(space);
  if (template === undefined) TEMPLATES.set(space, (template = compileOrNothing(space)));
  return template?.build(genome, file, key) ?? parseDesign(designForGenome(space, genome), file).chip;
}
