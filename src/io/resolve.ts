import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { ChipdseError } from '../errors.js';
import { listPresetNames, readDataFile } from './load.js';

/** A folder of shipped presets: designs, spaces, workloads, models. */
export interface PresetFolder {
  /** What a preset is, for messages: "design", "workload", "model", "space". */
  what: string;
  /** The folder, absolute. */
  dir: string;
  /** How messages name the folder: "designs", "workloads/models". */
  label: string;
}

/** Where a reference leads. */
export interface Located {
  /** The preset's name, or undefined when the reference is a file. */
  preset: string | undefined;
  /** The file, absolute. */
  path: string;
  /**
   * How messages name it: `designs/h100-sxm.json` for a preset; for a file, the reference as
   * given on the command line, or its absolute path when another file named it.
   */
  label: string;
}

/** A reference is a path when it has a folder separator (/ or \) or a data-file extension; otherwise it names a preset first. */
export function looksLikePath(ref: string): boolean {
  return ref.includes('/') || ref.includes('\\') || /\.(json|ya?ml)$/i.test(ref);
}

/**
 * Resolves a preset name or a path (only a path where `folder` is undefined: trace files have no
 * presets). A path, and a name that is no preset, is taken relative to
 * `fromDir`: the folder of the file that names it (a space's `workloads`, a workload's `model`),
 * or the working folder for a reference given on the command line (`fromDir` undefined).
 * Throws one line that says where it looked when nothing is found.
 */
export function locate(ref: string, folder: PresetFolder | undefined, fromDir?: string): Located {
  const path = isAbsolute(ref) ? ref : resolve(fromDir ?? process.cwd(), ref);
  const label = fromDir === undefined ? ref : path;
  const lookedIn = path === ref ? '' : ` (looked in ${path})`;
  if (!folder || looksLikePath(ref)) {
    if (!existsSync(path)) throw new ChipdseError(`${ref} not found${lookedIn}`);
    return { preset: undefined, path, label };
  }
  const preset = join(folder.dir, `${ref}.json`);
  if (existsSync(preset)) return { preset: ref, path: preset, label: `${folder.label}/${ref}.json` };
  if (existsSync(path)) return { preset: undefined, path, label };
  const names = listPresetNames(folder.dir);
  throw new ChipdseError(`unknown ${folder.what} "${ref}": not a preset (${names.join(', ')}) nor a file${lookedIn}`);
}

/** `locate`, then the file's data (JSON or YAML). */
export function readLocated(ref: string, folder: PresetFolder | undefined, fromDir?: string): { located: Located; data: unknown } {
  const located = locate(ref, folder, fromDir);
  return { located, data: readDataFile(located.path, located.label) };
}
