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
