import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readSync, realpathSync, renameSync, rmSync, statSync, writeFileSync, type Stats } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { ChipdseError } from '../errors.js';

export function print(s: string): void {
  process.stdout.write(s.endsWith('\n') ? s : s + '\n');
}

export function printJson(x: unknown): void {
  print(JSON.stringify(x, null, 2));
}

/** The first 16 bytes of every SQLite database file. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\u0000', 'latin1');

function statOrUndefined(file: string, follow = true): Stats | undefined {
  try {
    return follow ? statSync(file) : lstatSync(file);
  } catch {
    return undefined;
  }
}

function startsWithSqliteHeader(file: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const head = Buffer.alloc(SQLITE_HEADER.length);
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_HEADER);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether two paths name one file: the same inode when both exist, else the same absolute path. */
function sameFile(a: string, b: string): boolean {
  const sa = statOrUndefined(a);
  const sb = statOrUndefined(b);
  if (sa && sb) return sa.dev === sb.dev && sa.ino === sb.ino;
  return resolve(a) === resolve(b);
}

/**
 * Refuses an output file that would destroy something: the database the command reads (or its
 * -wal, -shm or -journal file), any other SQLite database (by its header bytes: one flag slip,
 * `--out runs.db`, must not overwrite a database with CSV), or a directory. Commands call it
 * before they start work, and `writeOutput` again before it writes.
 */
export function checkOutputPath(file: string, opts: { db?: string } = {}): void {
  if (opts.db !== undefined && ['', '-wal', '-shm', '-journal'].some((suffix) => sameFile(file, opts.db + suffix))) {
    throw new ChipdseError(`${file}: is the database this command reads (--db); refusing to write over it`);
  }
  const st = statOrUndefined(file);
  if (!st) return;
  if (st.isDirectory()) throw new ChipdseError(`${file}: is a directory, expected a file to write`);
  if (st.isFile() && startsWithSqliteHeader(file)) throw new ChipdseError(`${file}: is a SQLite database; refusing to write over it (choose another output file)`);
}

/**
 * Writes a file a command was asked for, whole or not at all: into a temporary file beside it,
 * then renamed over it, so a failure half-way (a full disk, a file size limit, a kill) leaves
 * the old file as it was. A device or a named pipe (`--out /dev/stdout`) is written directly.
 * A failure is the user's to fix (a path, a permission), so it reads as one line. `makeFolder`:
 * create the folder first (charts and reports), or fail when it is missing (an export names the
 * file it could not write). `db`: the database the command reads, never written over.
 */
export function writeOutput(file: string, data: string | Buffer, opts: { makeFolder: boolean; db?: string }): void {
  checkOutputPath(file, opts);
  let tmp: string | undefined;
  try {
    if (opts.makeFolder) mkdirSync(dirname(file), { recursive: true });
    // Through a symbolic link to the file it names, so the link stays a link.
    const target = statOrUndefined(file, false)?.isSymbolicLink() && statOrUndefined(file) ? realpathSync(file) : file;
    const existing = statOrUndefined(target);
    if (existing && !existing.isFile()) {
      writeFileSync(target, data);
      return;
    }
    tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`);
    writeFileSync(tmp, data, { flag: 'wx' });
    if (existing) chmodSync(tmp, existing.mode & 0o7777);
    renameSync(tmp, target);
    tmp = undefined;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    throw new ChipdseError(`${file}: cannot write (${err.code ?? err.message})`);
  } finally {
    if (tmp !== undefined) rmSync(tmp, { force: true });
  }
}
