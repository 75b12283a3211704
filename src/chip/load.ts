import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ValidationError } from '../errors.js';
import { resolveExtends, withOrigins } from '../io/extends.js';
import { deepFreeze } from '../io/freeze.js';
import { validate, keysOfSchemaAt, listPresetNames } from '../io/load.js';
import { readLocated, type PresetFolder } from '../io/resolve.js';
import { applySettings, type Setting } from '../io/settings.js';
import { designSchema, type DesignFile } from './schema.js';
import { buildChip, crossFieldIssues } from './build.js';
import type { Chip } from './chip.js';

/** The shipped presets live in `designs/` at the package root. */
export const DESIGNS_DIR = fileURLToPath(new URL('../../designs/', import.meta.url));
export const DESIGN_PRESETS: PresetFolder = { what: 'design', dir: DESIGNS_DIR, label: 'designs' };

export function listDesignPresets(): string[] {
  return listPresetNames(DESIGNS_DIR);
}

/** Where design data came from, for `extends` and `--set`. */
export interface DesignSourceOptions {
  /** The folder a relative `extends` resolves against (the file's own; default: the working folder). */
  baseDir?: string;
  /** Fields set on the command line, after `extends`, before validation. */
  set?: readonly Setting[];
}

/**
 * Design data with its `extends` followed and its `--set` fields written: what validation sees.
 * Problems are later named by the file that set the field.
 */
export function designData(data: unknown, file: string, opts: DesignSourceOptions = {}) {
  return applySettings(resolveExtends(data, file, opts.baseDir ?? process.cwd(), DESIGN_PRESETS), opts.set ?? []);
}

/**
 * Validates raw design data (from a file or built in code; `extends` followed) and builds the chip.
 * The validated file is frozen (the chip builder memoizes technology tables by its parts); the chip
 * is a new object of its own, free to change.
 */
export function parseDesign(data: unknown, file: string, opts: DesignSourceOptions = {}): { file: DesignFile; chip: Chip } {
  const ext = designData(data, file, opts);
  return withOrigins(ext, file, () => {
    const parsed = validate(designSchema, ext.data, file, (p) => keysOfSchemaAt(designSchema, p));
    const issues = crossFieldIssues(parsed);
    if (issues.length > 0) throw new ValidationError(file, issues);
    return { file: deepFreeze(parsed), chip: buildChip(parsed) };
  });
}

/**
 * Resolves a design given as a preset name or a path (relative to `fromDir`, the folder of the
 * file that names it; the working folder when undefined), and returns how to name it and its raw
 * data, with its `extends` followed.
 */
export function resolveDesignSource(ref: string, fromDir?: string): { path: string; data: unknown } {
  const { located, data } = readLocated(ref, DESIGN_PRESETS, fromDir);
  return { path: located.label, data: designData(data, located.label, { baseDir: dirname(located.path) }).data };
}

/** A design by preset name or path, with `--set` fields when given. */
export function loadDesign(ref: string, set: readonly Setting[] = []): Chip {
  const { located, data } = readLocated(ref, DESIGN_PRESETS);
  return parseDesign(data, located.label, { baseDir: dirname(located.path), set }).chip;
}
