/**
 * `extends` in design and workload files: a file names a preset or another file and gives only
 * what differs. The parent is read (and its own `extends` followed), then the child is merged over
 * it: objects merge key by key, arrays and other values replace, and a key set to null removes
 * what the parent gave. Every field remembers the file that set it, so an error names the file
 * that holds the bad field.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import { ChipdseError, ValidationError, type Issue } from '../errors.js';
import { inField } from './load.js';
import { isPlainObject, pathParts } from './paths.js';
import { looksLikePath, readLocated, type PresetFolder } from './resolve.js';

/** Files a chain of `extends` may pass through: deeper is a mistake, not a design. */
export const MAX_EXTENDS_DEPTH = 16;

/** Data after `extends`: the merged fields, and which file set each one. */
export interface Extended {
  data: unknown;
  /** The file (as messages name it) that set the field at `path`, or replaced an object above it. */
  originOf(path: readonly string[]): string;
}

export interface ExtendsOptions {
  /** Fields holding paths (`*` for any array index): a parent's relative paths are made absolute, as they were relative to the parent. */
  pathFields?: readonly (readonly string[])[];
}

/**
 * Follows `extends` from data read from `label` (a file in `dir`, or an inline object of a file
 * in `dir`). Data without `extends` comes back as it is. A chain that comes back to a file it
 * passed through is an error naming the chain.
 */
export function resolveExtends(data: unknown, label: string, dir: string, folder: PresetFolder, opts: ExtendsOptions = {}, chain: string[] = []): Extended {
  if (!isPlainObject(data) || !Object.hasOwn(data, 'extends')) return { data, originOf: () => label };
  const { extends: ref, ...own } = data;
  if (typeof ref !== 'string' || ref === '') throw new ValidationError(label, [{ path: 'extends', message: `expected a ${folder.what} preset name or a path, got ${JSON.stringify(ref)}` }]);
  if (chain.length >= MAX_EXTENDS_DEPTH) throw new ChipdseError(`${label}: extends: more than ${MAX_EXTENDS_DEPTH} files deep (${[...chain, ref].join(' -> ')})`);
  const { located, data: parentData } = inField(label, 'extends', () => readLocated(ref, folder, dir));
  if (chain.includes(located.path)) throw new ChipdseError(`${label}: extends: cycle: ${[...chain, located.path].join(' -> ')}`);
  const parentDir = dirname(located.path);
  const parent = resolveExtends(parentData, located.label, parentDir, folder, opts, [...chain, located.path]);
  if (!isPlainObject(parent.data)) throw new ChipdseError(`${label}: extends: ${located.label} does not hold a ${folder.what} (expected an object)`);
  const inherited = absolutized(parent.data, parentDir, opts.pathFields ?? []);
  return {
    data: merged(inherited, own),
    originOf: (path) => (setHere(own, path) ? label : parent.originOf(path)),
  };
}

/** The child's fields over the parent's: objects merge, other values replace, null removes. */
export function merged(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = Object.hasOwn(base, k) ? merged(base[k], v) : v;
  }
  return out;
}

/** Whether `own` (a file's own fields) sets `path`: the field itself, or a value that replaces an object above it. */
function setHere(own: unknown, path: readonly string[]): boolean {
  let node = own;
  for (const part of path) {
    if (!isPlainObject(node) || !Object.hasOwn(node, part)) return false;
    node = node[part];
    if (!isPlainObject(node)) return true;
  }
  return true;
}

/** A copy of `data` with the relative paths in `fields` made absolute against `dir`. */
function absolutized(data: Record<string, unknown>, dir: string, fields: readonly (readonly string[])[]): Record<string, unknown> {
  const out = structuredClone(data);
  const visit = (node: unknown, rest: readonly string[]): unknown => {
    if (rest.length === 0) return typeof node === 'string' && looksLikePath(node) && !isAbsolute(node) ? resolve(dir, node) : node;
    const [head, ...tail] = rest;
    if (head === '*' && Array.isArray(node)) return node.map((x) => visit(x, tail));
    if (isPlainObject(node) && Object.hasOwn(node, head)) node[head] = visit(node[head], tail);
    return node;
  };
  for (const f of fields) visit(out, f);
  return out;
}

/**
 * Runs `f` (which validates the merged data as `label`) and re-labels its validation problems
 * with the file that set each field: a bad field inherited from a preset names the preset.
 */
export function withOrigins<T>(ext: Extended, label: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof ValidationError) || e.file !== label) throw e;
    const issues: Issue[] = e.issues.map((i) => {
      const origin = ext.originOf(pathParts(i.path));
      return origin === label ? i : { ...i, file: origin };
    });
    throw new ValidationError(label, issues);
  }
}
