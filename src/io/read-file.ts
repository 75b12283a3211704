import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { ChipdseError } from '../errors.js';
import { parseQuantity } from '../units/quantity.js';

/**
 * Reading an input file (a design, workload, space, model, trace or batch file) so that it always
 * ends: only a regular file is read, never a device (/dev/zero, /dev/urandom), a named pipe (which
 * blocks until someone writes to it), a socket or a directory, and never more than a size limit
 * (16 MiB: the shipped files are a few KB, the largest space files a few MB).
 */

/** The largest input file read, unless CHIPDSE_MAX_FILE_BYTES says otherwise. */
export const DEFAULT_MAX_FILE_BYTES = 16 * 2 ** 20;
export const MAX_FILE_BYTES_ENV = 'CHIPDSE_MAX_FILE_BYTES';

/** The size limit in force: CHIPDSE_MAX_FILE_BYTES (bytes, or a size such as "64 MiB"), else 16 MiB. */
export function maxFileBytes(): number {
  const raw = process.env[MAX_FILE_BYTES_ENV];
  if (raw === undefined || raw.trim() === '') return DEFAULT_MAX_FILE_BYTES;
  const v = parseQuantity(raw, 'bytes');
  if (v === undefined || v < 1) throw new ChipdseError(`${MAX_FILE_BYTES_ENV}: expected a size such as "64 MiB" or a number of bytes, got "${raw}"`);
  return Math.floor(v);
}

/** What a file system entry is, for "not a regular file" messages. */
function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isFIFO()) return 'a named pipe';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegular(label: string, st: Stats): ChipdseError {
  return new ChipdseError(`${label}: not a regular file but ${kindOf(st)}; input files are read only from regular files`);
}

const sizeText = (bytes: number) => (bytes >= 2 ** 20 ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : `${bytes} bytes`);

function tooLarge(label: string, bytes: number, max: number, atLeast: boolean): ChipdseError {
  return new ChipdseError(`${label}: ${atLeast ? 'more than ' : ''}${sizeText(bytes)}, over the ${sizeText(max)} limit for an input file (${MAX_FILE_BYTES_ENV} raises it)`);
}

function systemError(label: string, e: unknown): ChipdseError {
  const err = e as NodeJS.ErrnoException;
  if (err.code === 'ENOENT') return new ChipdseError(`${label}: file not found`);
  if (err.code === 'ELOOP') return new ChipdseError(`${label}: too many symbolic links (a loop?)`);
  if (err.code === 'EACCES' || err.code === 'EPERM') return new ChipdseError(`${label}: cannot read (permission denied)`);
  return new ChipdseError(`${label}: cannot read (${err.code ?? err.message})`);
}

/**
 * The text of an input file, as UTF-8. The checks are made on the file opened (non-blocking, so
 * a named pipe put in its place after the first look cannot block), and the read stops one byte
 * past the limit, so a file that grows while it is read is refused too.
 */
export function readInputFile(file: string, label = file): string {
  const max = maxFileBytes();
  let st: Stats;
  try {
    st = statSync(file);
  } catch (e) {
    throw systemError(label, e);
  }
  if (!st.isFile()) throw notRegular(label, st);
  if (st.size > max) throw tooLarge(label, st.size, max, false);
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw systemError(label, e);
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile()) throw notRegular(label, opened);
    // One byte more than the file holds, to see its end; grown (up to the limit) if it grows.
    let buf = Buffer.allocUnsafe(Math.min(max, opened.size) + 1);
    let length = 0;
    for (;;) {
      if (length === buf.length) {
        if (length > max) throw tooLarge(label, max, max, true);
        const bigger = Buffer.allocUnsafe(Math.min(max + 1, buf.length * 2));
        buf.copy(bigger, 0, 0, length);
        buf = bigger;
      }
      const n = readSync(fd, buf, length, buf.length - length, null);
      if (n === 0) break;
      length += n;
    }
    return buf.toString('utf8', 0, length);
  } catch (e) {
    if (e instanceof ChipdseError) throw e;
    throw systemError(label, e);
  } finally {
    closeSync(fd);
  }
}
