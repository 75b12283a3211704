import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChipdseError, ValidationError } from '../errors.js';
import { readDataFile, validate, keysOfSchemaAt, listPresetNames } from '../io/load.js';
import { designSchema, type DesignFile } from './schema.js';
import { buildChip, crossFieldIssues } from './build.js';
import type { Chip } from './chip.js';

/** The shipped presets live in `designs/` at the package root. */
export const DESIGNS_DIR = fileURLToPath(new URL('../../designs/', import.meta.url));

export function listDesignPresets(): string[] {
  return listPresetNames(DESIGNS_DIR);
}

/** Validates raw design data (from a file or built in code) and builds the chip. */
export function parseDesign(data: unknown, file: string): { file: DesignFile; chip: Chip } {
  const parsed = validate(designSchema, data, file, (p) => keysOfSchemaAt(designSchema, p));
  const issues = crossFieldIssues(parsed);
  if (issues.length > 0) throw new ValidationError(file, issues);
  return { file: parsed, chip: buildChip(parsed) };
}

/** Resolves a design given as a preset name or a path, and returns its file path and raw data. */
export function resolveDesignSource(ref: string): { path: string; data: unknown } {
  const looksLikePath = ref.includes('/') || ref.includes('\\') || /\.(json|ya?ml)$/i.test(ref);
  if (looksLikePath) return { path: ref, data: readDataFile(ref) };
  const preset = join(DESIGNS_DIR, `${ref}.json`);
  if (existsSync(preset)) return { path: `designs/${ref}.json`, data: readDataFile(preset) };
  if (existsSync(ref)) return { path: ref, data: readDataFile(ref) };
  throw new ChipdseError(`unknown design "${ref}": not a preset (${listDesignPresets().join(', ')}) nor a file`);
}

export function loadDesign(ref: string): Chip {
  const { path, data } = resolveDesignSource(ref);
  return parseDesign(data, path).chip;
}
