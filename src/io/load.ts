import { existsSync, readdirSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { z } from 'zod';
import { ChipdseError, ValidationError } from '../errors.js';
import { checkNesting, parseJsonText, parseYamlText } from './parse-text.js';
import { readInputFile } from './read-file.js';
import { zodIssues } from './zod-issues.js';

/** Names of the JSON presets in a folder (generated *.schema.json files left out), sorted. */
export function listPresetNames(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && !f.endsWith('.schema.json'))
    .map((f) => basename(f, '.json'))
    .sort();
}

/**
 * Reads a JSON or YAML file (by extension; JSON otherwise), with one-line errors naming it as
 * `label`: only a regular file, within the size limit (see read-file.ts), JSON and YAML alike
 * (see parse-text.ts).
 */
export function readDataFile(file: string, label = file): unknown {
  const text = readInputFile(file, label);
  const ext = extname(file).toLowerCase();
  return ext === '.yaml' || ext === '.yml' ? parseYamlText(text, label) : parseJsonText(text, label);
}

/** Validates `data` against `schema`, throwing every problem at once as `file: path: message`. */
export function validate<S extends z.ZodType>(schema: S, data: unknown, file: string, keysAt?: (path: PropertyKey[]) => string[] | undefined): z.output<S> {
  // Data too deep for the schema's (recursive) checks, and for what is done with it afterwards.
  checkNesting(data, file);
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
