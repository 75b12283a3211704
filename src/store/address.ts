import { ChipdseError } from '../errors.js';

/**
 * Where runs are kept, as the user gives it (`--storage`, or its older name `--db`):
 *
 * - a file path, or a `sqlite:` URL: a SQLite file. The URL follows SQLAlchemy (and so Optuna):
 *   `sqlite:///results/x.db` is relative to the working folder, `sqlite:////abs/x.db` absolute;
 *   `sqlite:results/x.db` is accepted too.
 * - a `postgresql://` (or `postgres://`) URL: a PostgreSQL database, shared by any number of
 *   processes and machines (what `chipdse worker` needs).
 * - `memory:` or `memory:NAME`: this process's memory (tests, embedding).
 */
export type StoreAddress =
  | { kind: 'sqlite'; file: string }
  | { kind: 'postgresql'; url: string }
  | { kind: 'memory'; name: string | undefined };

export const MEMORY_PREFIX = 'memory:';

export function parseStoreAddress(text: string): StoreAddress {
  if (text.startsWith(MEMORY_PREFIX)) return { kind: 'memory', name: text.length > MEMORY_PREFIX.length ? text.slice(MEMORY_PREFIX.length) : undefined };
  if (/^postgres(ql)?:\/\//i.test(text)) {
    try {
      new URL(text);
    } catch {
      throw new ChipdseError(`${redactUrl(text)}: not a valid PostgreSQL URL (expected postgresql://USER@HOST:PORT/DATABASE)`);
    }
    return { kind: 'postgresql', url: text };
  }
  if (/^sqlite:/i.test(text)) {
    const rest = text.slice('sqlite:'.length);
    if (rest.startsWith('//') && !rest.startsWith('///')) throw new ChipdseError(`${text}: expected sqlite:///RELATIVE/PATH.db or sqlite:////ABSOLUTE/PATH.db`);
    // sqlite:////abs -> /abs, sqlite:///rel -> rel, sqlite:path -> path
    const file = rest.startsWith('///') ? rest.slice(3) : rest;
    if (file === '') throw new ChipdseError(`${text}: no file named (expected sqlite:///RELATIVE/PATH.db or sqlite:////ABSOLUTE/PATH.db)`);
    return { kind: 'sqlite', file };
  }
  return { kind: 'sqlite', file: text };
}

/** Query parameters of a connection URL that carry secrets. */
const SECRET_PARAMS = ['password', 'sslpassword', 'sslkey'];

/**
 * A connection URL fit to print: its password (and any password parameter) replaced by `***`.
 * What is not a URL comes back as it is, less anything that looks like `user:password@`.
 */
export function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text.replace(/(\/\/[^/@:\s]*):[^@/\s]*@/g, '$1:***@');
  }
  if (url.protocol === 'file:' || url.protocol === 'memory:' || url.protocol === 'sqlite:') return text;
  if (url.password) url.password = '***';
  for (const p of SECRET_PARAMS) if (url.searchParams.has(p)) url.searchParams.set(p, '***');
  return url.toString();
}

/** The address as messages name it: a PostgreSQL URL without its password, anything else as given. */
export function displayAddress(text: string): string {
  return /^postgres(ql)?:\/\//i.test(text) ? redactUrl(text) : text;
}

/** Every secret of a connection URL (password, password parameters), to scrub from messages that might echo one. */
export function secretsOf(text: string): string[] {
  try {
    const url = new URL(text);
    const out = [url.password, ...SECRET_PARAMS.map((p) => url.searchParams.get(p) ?? '')].filter((s) => s.length > 0);
    return [...new Set(out.flatMap((s) => [s, decodeURIComponent(s)]))];
  } catch {
    return [];
  }
}

/** `message` with every secret of `address` replaced by `***`. */
export function scrubSecrets(message: string, address: string): string {
  let out = message;
  for (const s of secretsOf(address)) out = out.split(s).join('***');
  return out;
}
