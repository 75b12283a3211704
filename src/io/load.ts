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

export { keysOfSchemaAt } from './schema-walk.js';

/** Runs `f`, prefixing a one-line failure with the file and field that led to it (a ValidationError names its own file). */
export function inField<T>(file: string, field: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ChipdseError && !(e instanceof ValidationError)) throw new ChipdseError(`${file}: ${field}: ${e.message}`);
    throw e;
  }
}
