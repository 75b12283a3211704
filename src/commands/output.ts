import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ChipdseError } from '../errors.js';

export function print(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : s + '\n');
}

export function printJson(x: unknown): void {
  print(JSON.stringify(x, null, 2));
}

/**
 * Writes a file a command was asked for; a failure is the user's to fix (a path, a permission), so
 * it reads as one line. `makeFolder`: create the folder first (charts and reports), or fail when it
 * is missing (an export names the file it could not write).
 */
export function writeOutput(file: string, data: string | Buffer, opts: { makeFolder: boolean }): void {
  try {
    if (opts.makeFolder) mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, data);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ChipdseError(`${file}: cannot write (${err.code ?? err.message})`);
  }
}
