import { readFileSync, existsSync, statSync, readdirSync } from 'node:fs';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ChipdseError, ValidationError } from '../errors.js';
import { zodIssues } from './zod-issues.js';

/** Names of the JSON presets in a folder (generated *.schema.json files left out), sorted. */
export function listPresetNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .map((f) => basename(f, '.json'))
    .sort();
}

/** Reads a JSON or YAML file (by extension; JSON otherwise), with one-line errors naming it as `label`. */
export function readDataFile(file: string, label = file): unknown {
  if (!existsSync(file)) throw new ChipdseError(`${label}: file not found`);
  if (statSync(file).isDirectory()) throw new ChipdseError(`${label}: is a directory, expected a file`);
  const text = readFileSync(file, 'utf8');
  const ext = extname(file).toLowerCase();
  if (ext === '.yaml' || ext === '.yml') {
    try {
      return parseYaml(text);
    } catch (e) {
      throw new ChipdseError(`${label}: invalid YAML: ${firstLine((e as Error).message)}`);
    }
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ChipdseError(`${label}: invalid JSON: ${firstLine((e as Error).message)}`);
  }
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/** Validates `data` against `schema`, throwing every problem at once as `file: path: message`. */
export function validate<S extends z.ZodType>(schema: S, data: unknown, file: string, keysAt?: (path: PropertyKey[]) => string[] | undefined): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw new ValidationError(file, zodIssues(result.error, keysAt));
  return result.data;
}

/** Lists the keys a strict object schema allows at `path`, for "unknown key" messages. */
export function keysOfSchemaAt(schema: z.ZodType, path: PropertyKey[]): string[] | undefined {
  let node: unknown = schema;
  for (const part of [...path, null]) {
    node = unwrap(node);
    const def = (node as { def?: { type?: string; shape?: Record<string, unknown>; element?: unknown } }).def;
    if (!def) return undefined;
    if (part === null) return def.type === 'object' && def.shape ? Object.keys(def.shape).filter((k) => k !== '$schema') : undefined;
    if (def.type === 'object' && def.shape && typeof part === 'string') node = def.shape[part];
    else if (def.type === 'array' && typeof part === 'number') node = def.element;
    else return undefined;
  }
  return undefined;
}

function unwrap(node: unknown): unknown {
  let n = node as { def?: { type?: string; innerType?: unknown; in?: unknown } } | undefined;
  for (let i = 0; i < 10 && n?.def; i++) {
    const t = n.def.type;
    if (t === 'optional' || t === 'default' || t === 'nullable' || t === 'prefault') n = n.def.innerType as typeof n;
    else if (t === 'pipe') n = n.def.in as typeof n;
    else break;
  }
  return n;
}

/** Runs `f`, prefixing a one-line failure with the file and field that led to it (a ValidationError names its own file). */
export function inField<T>(file: string, field: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ChipdseError && !(e instanceof ValidationError)) throw new ChipdseError(`${file}: ${field}: ${e.message}`);
    throw e;
  }
}
