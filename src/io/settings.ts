/**
 * `--set path=value`: one field of a design or workload changed on the command line. The value is
 * read as a data file's value would be ("6" is a number, "96 GB" a quantity, "true" a boolean,
 * "[32]" a list); the path must lead to a field the schema knows, or the one-line error lists the
 * nearest valid keys.
 */
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ChipdseError } from '../errors.js';
import { badPath, isPlainObject, pathParts, setPath } from './paths.js';
import type { Extended } from './extends.js';

/** One `--set path=value`, with the text it came from for messages. */
export interface Setting {
  path: string;
  value: unknown;
  text: string;
}

/** Reads `path=value`; the value as a YAML scalar or flow collection, like a value in a data file. */
export function parseSetting(text: string): Setting {
  const eq = text.indexOf('=');
  const path = eq > 0 ? text.slice(0, eq).trim() : '';
  const raw = eq > 0 ? text.slice(eq + 1).trim() : '';
  if (!path || !raw) throw new ChipdseError(`--set ${text}: expected path=value, e.g. memory.hbm.stacks=6 or inputTokens=4096`);
  const why = badPath(path);
  if (why) throw new ChipdseError(`--set ${text}: ${why}`);
  let value: unknown;
  try {
    value = parseYaml(raw);
  } catch {
    value = raw;
  }
  return { path, value: value === null ? raw : value, text };
}

type Node = { def?: { type?: string; innerType?: Node; in?: Node; shape?: Record<string, Node>; element?: Node; options?: Node[]; keyType?: Node; valueType?: Node; catchall?: Node; entries?: Record<string, string> } };

/** The schema below wrappers (optional, default, nullable, pipe). */
function unwrap(node: Node | undefined): Node | undefined {
  let n = node;
  for (let i = 0; i < 10 && n?.def; i++) {
    const t = n.def.type;
    if (t === 'optional' || t === 'default' || t === 'nullable' || t === 'prefault') n = n.def.innerType;
    else if (t === 'pipe') n = n.def.in;
    else break;
  }
  return n;
}

/** Where a path leaves a schema: the valid prefix, the key that is not there, and the keys that are. */
export interface PathMiss {
  at: string[];
  key: string;
  allowed: string[];
}

/** Whether `parts` lead to a field of `schema` (a union's branches and open objects included); the miss otherwise. */
export function schemaPathMiss(schema: z.ZodType, parts: string[]): PathMiss | undefined {
  const walk = (node: Node | undefined, i: number): PathMiss | undefined => {
    const n = unwrap(node);
    if (i === parts.length || !n?.def) return undefined;
    const key = parts[i];
    const def = n.def;
    const miss = (allowed: string[]): PathMiss => ({ at: parts.slice(0, i), key, allowed });
    switch (def.type) {
      case 'object': {
        const shape = def.shape ?? {};
        if (Object.hasOwn(shape, key)) return walk(shape[key], i + 1);
        const open = unwrap(def.catchall)?.def?.type;
        return open && open !== 'never' ? undefined : miss(Object.keys(shape).filter((k) => k !== '$schema'));
      }
      case 'array':
        return /^\d+$/.test(key) ? walk(def.element, i + 1) : miss(['0', '1', '...']);
      case 'record': {
        const keys = unwrap(def.keyType)?.def?.entries;
        if (keys && !Object.hasOwn(keys, key)) return miss(Object.keys(keys));
        return walk(def.valueType, i + 1);
      }
      case 'union': {
        const misses = (def.options ?? []).map((o) => walk(o, i));
        // A branch without fields (a number, a string) misses any deeper path, so one branch that takes it is enough.
        if (misses.some((m) => m === undefined)) return undefined;
        const found = misses.filter((m): m is PathMiss => m !== undefined).sort((a, b) => b.at.length - a.at.length || b.allowed.length - a.allowed.length);
        return found[0] ?? miss([]);
      }
      case 'unknown':
      case 'any':
        return undefined;
      default:
        return miss([]);
    }
  };
  return walk(schema as unknown as Node, 0);
}

/** Every field path of a schema (objects and the first element of arrays), to find a bare name's full path. */
export function fieldPaths(schema: z.ZodType, depth = 6): string[] {
  const out: string[] = [];
  const walk = (node: Node | undefined, prefix: string, left: number) => {
    const n = unwrap(node);
    if (!n?.def || left === 0) return;
    if (n.def.type === 'object') {
      for (const [k, v] of Object.entries(n.def.shape ?? {})) {
        if (k === '$schema') continue;
        const path = prefix ? `${prefix}.${k}` : k;
        out.push(path);
        walk(v, path, left - 1);
      }
    } else if (n.def.type === 'array') walk(n.def.element, `${prefix}[0]`, left - 1);
    else if (n.def.type === 'union') for (const o of n.def.options ?? []) walk(o, prefix, left - 1);
  };
  walk(schema as unknown as Node, '', depth);
  return [...new Set(out)];
}

/** Edit distance between two keys, for "nearest valid keys". */
function distance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  let prev = Array.from({ length: y.length + 1 }, (_, j) => j);
  for (let i = 1; i <= x.length; i++) {
    const cur = [i];
    for (let j = 1; j <= y.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] === y[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[y.length];
}

/** The keys nearest to `key`, closest first (prefix matches count as close). */
export function nearestKeys(key: string, allowed: string[], n = 5): string[] {
  const score = (k: string) => (k.toLowerCase().startsWith(key.toLowerCase()) || key.toLowerCase().startsWith(k.toLowerCase()) ? 0 : distance(key, k));
  return [...allowed].sort((a, b) => score(a) - score(b) || a.localeCompare(b)).slice(0, n);
}

/** The one-line message for a path that a schema does not have. */
export function missMessage(s: Setting, miss: PathMiss, what: string): string {
  const where = miss.at.length ? `${what} field ${miss.at.join('.')}` : what;
  const near = miss.allowed.length ? ` (nearest: ${nearestKeys(miss.key, miss.allowed).join(', ')})` : ' (it takes no fields below it)';
  return `--set ${s.text}: no "${miss.key}" in the ${where}${near}`;
}

/** Writes settings into data that passed through `resolveExtends`; their fields are then said to come from `--set`. */
export function applySettings(ext: Extended, settings: readonly Setting[]): Extended {
  if (settings.length === 0) return ext;
  const data = structuredClone(isPlainObject(ext.data) ? ext.data : {});
  for (const s of settings) setPath(data, s.path, structuredClone(s.value));
  const set = settings.map((s) => ({ parts: pathParts(s.path), text: `--set ${s.text}` }));
  return {
    data,
    originOf: (path) => {
      const hit = [...set].reverse().find((s) => s.parts.length <= path.length && s.parts.every((p, i) => p === path[i]));
      return hit ? hit.text : ext.originOf(path);
    },
  };
}

/** What `--set` may change: a kind of file (design, workload) and its schema. */
export interface SettingTarget {
  name: string;
  schema: z.ZodType;
}

/**
 * Sends each `--set` to the file it is for: `design.memory.hbm.stacks=6` and
 * `workload.inputTokens=4096` say so; a bare path goes to the one target whose schema has it (a
 * path both have must be prefixed). A path no target has is one line with the nearest keys.
 */
export function routeSettings(texts: readonly string[], targets: readonly SettingTarget[]): Record<string, Setting[]> {
  const out: Record<string, Setting[]> = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (const text of texts) {
    const s = parseSetting(text);
    const parts = pathParts(s.path);
    const named = targets.find((t) => parts[0] === t.name && parts.length > 1);
    if (named) {
      const rest = { ...s, path: s.path.slice(named.name.length + 1) };
      const miss = schemaPathMiss(named.schema, parts.slice(1));
      if (miss) throw new ChipdseError(missMessage(s, miss, named.name));
      out[named.name].push(rest);
      continue;
    }
    const misses = targets.map((t) => ({ t, miss: schemaPathMiss(t.schema, parts) }));
    const hits = misses.filter((m) => !m.miss);
    if (hits.length > 1) throw new ChipdseError(`--set ${text}: both ${hits.map((h) => `the ${h.t.name}`).join(' and ')} have "${s.path}"; say which: ${hits.map((h) => `${h.t.name}.${s.path}`).join(' or ')}`);
    if (hits.length === 1) {
      out[hits[0].t.name].push(s);
      continue;
    }
    // Where the path went furthest is where the user most likely meant it.
    const deepest = Math.max(...misses.map((m) => m.miss!.at.length));
    const best = misses.filter((m) => m.miss!.at.length === deepest);
    // A bare field name that lives deeper (stacks: memory.hbm.stacks) is named with its full path.
    const full = parts.length === 1 ? targets.flatMap((t) => fieldPaths(t.schema).filter((f) => f.split('.').pop()!.toLowerCase() === parts[0].toLowerCase()).map((f) => `${t.name}.${f}`)) : [];
    if (full.length > 0) throw new ChipdseError(`--set ${text}: no top-level "${s.path}"; did you mean ${full.map((f) => `${f}=${text.slice(text.indexOf('=') + 1)}`).join(' or ')}?`);
    if (best.length === 1) throw new ChipdseError(missMessage(s, best[0].miss!, best[0].t.name));
    const near = best.map((m) => `${m.t.name}: ${nearestKeys(m.miss!.key, m.miss!.allowed, 4).join(', ')}`).join('; ');
    throw new ChipdseError(`--set ${text}: no "${best[0].miss!.key}" in the ${best.map((m) => m.t.name).join(' nor the ')}${deepest ? ` at ${best[0].miss!.at.join('.')}` : ''} (nearest: ${near})`);
  }
  return out;
}
