import { fileURLToPath } from 'node:url';
import { ValidationError } from '../errors.js';
import { deepFreeze } from '../io/freeze.js';
import { validate, keysOfSchemaAt, listPresetNames } from '../io/load.js';
import { readLocated, type PresetFolder } from '../io/resolve.js';
import { designSchema, type DesignFile } from './schema.js';
import { buildChip, crossFieldIssues } from './build.js';
import type { Chip } from './chip.js';

/** The shipped presets live in `designs/` at the package root. */
export const DESIGNS_DIR = fileURLToPath(new URL('../../designs/', import.meta.url));
export const DESIGN_PRESETS: PresetFolder = { what: 'design', dir: DESIGNS_DIR, label: 'designs' };

export function listDesignPresets(): string[] {
  return listPresetNames(DESIGNS_DIR);
}

/**
 * Validates raw design data (from a file or built in code) and builds the chip. The validated file
 * is frozen (the chip builder memoizes technology tables by its parts); the chip is a new object of
 * its own, free to change.
 */
export function parseDesign(data: unknown, file: string): { file: DesignFile; chip: Chip } {
  const parsed = validate(designSchema, data, file, (p) => keysOfSchemaAt(designSchema, p));
  const issues = crossFieldIssues(parsed);
  if (issues.length > 0) throw new ValidationError(file, issues);
  return { file: deepFreeze(parsed), chip: buildChip(parsed) };
}

/**
 * Resolves a design given as a preset name or a path (relative to `fromDir`, the folder of the
 * file that names it; the working folder when undefined), and returns how to name it and its raw data.
 */
export function resolveDesignSource(ref: string, fromDir?: string): { path: string; data: unknown } {
  const { located, data } = readLocated(ref, DESIGN_PRESETS, fromDir);
  return { path: located.label, data };
}

export function loadDesign(ref: string): Chip {
  const { path, data } = resolveDesignSource(ref);
  return parseDesign(data, path).chip;
}
