import { CST, isAlias, isMap, isPair, isScalar, isSeq, Parser, parseDocument } from 'yaml';
import { ChipdseError } from '../errors.js';
import { formatPath } from './zod-issues.js';

/**
 * The text of a data file as data, JSON and YAML alike: a byte order mark is accepted, a key
 * given twice in one object is refused (JSON.parse would keep the last silently, YAML refuses it),
 * and so is nesting deeper than MAX_NESTING levels (no file of chipdse comes near it; thousands of
 * levels would overflow the stack of every reader after the parser). Each error is one line
 * naming the file and the path of the key.
 */

/** The deepest nesting of objects and lists accepted (a design is about 6 levels deep, a space with an inline base 8). */
export const MAX_NESTING = 64;

type PathPart = string | number;

const BOM = '\uFEFF';

function firstLine(s: string): string {
  return s.split('\n')[0];
}

/** Control characters of a message (a snippet of a binary file) written as escapes, so one line stays one line. */
function printable(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function tooDeep(file: string, path: PathPart[]): ChipdseError {
  const shown = formatPath(path.slice(0, 4));
  return new ChipdseError(`${file}: ${shown || '(root)'}${path.length > 4 ? '...' : ''}: nested more than ${MAX_NESTING} levels deep`);
}

function duplicate(file: string, path: PathPart[]): ChipdseError {
  return new ChipdseError(`${file}: ${formatPath(path)}: duplicate key (given twice in one object)`);
}

/** A JSON text's data. */
export function parseJsonText(text: string, file: string): unknown {
  const body = text.startsWith(BOM) ? text.slice(1) : text;
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (e) {
    throw new ChipdseError(`${file}: invalid JSON: ${printable(firstLine((e as Error).message))}`);
  }
  checkJsonKeys(body, file);
  return data;
}

interface JsonFrame {
  keys: Set<string> | undefined;
  /** The key (object) or index (list) of the value being read. */
  at: PathPart;
  expectKey: boolean;
}

/**
 * Walks a valid JSON text once, without recursion: refuses a key given twice in one object and
 * nesting deeper than MAX_NESTING.
 */
function checkJsonKeys(text: string, file: string): void {
  const stack: JsonFrame[] = [];
  const path = () => stack.map((f) => f.at);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let j = i + 1;
      let escaped = false;
      for (;;) {
        const d = text.charCodeAt(j);
        if (d === 0x5c) {
          escaped = true;
          j += 2;
        } else if (d === 0x22) break;
        else j++;
      }
      const top = stack[stack.length - 1];
      if (top?.keys && top.expectKey) {
        const key = escaped ? (JSON.parse(text.slice(i, j + 1)) as string) : text.slice(i + 1, j);
        top.at = key;
        if (top.keys.has(key)) throw duplicate(file, path());
        top.keys.add(key);
        top.expectKey = false;
      }
      i = j;
    } else if (c === 0x7b || c === 0x5b) {
      if (stack.length >= MAX_NESTING) throw tooDeep(file, path());
      stack.push(c === 0x7b ? { keys: new Set(), at: '', expectKey: true } : { keys: undefined, at: 0, expectKey: false });
    } else if (c === 0x7d || c === 0x5d) stack.pop();
    else if (c === 0x2c) {
      const top = stack[stack.length - 1];
      if (top.keys) top.expectKey = true;
      else top.at = (top.at as number) + 1;
    }
  }
}

/** A YAML text's data (the first document). */
export function parseYamlText(text: string, file: string): unknown {
  checkYamlNesting(text, file);
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) throw new ChipdseError(`${file}: invalid YAML: ${printable(firstLine(doc.errors[0].message))}`);
  checkYamlKeys(doc.contents, file);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw new ChipdseError(`${file}: invalid YAML: ${printable(firstLine((e as Error).message))}`);
  }
}

/**
 * The nesting of the YAML text's syntax tree, walked without recursion before the document is
 * built (building it recurses once per level).
 */
function checkYamlNesting(text: string, file: string): void {
  for (const doc of new Parser().parse(text)) {
    if (doc.type !== 'document' || !doc.value) continue;
    const stack: { token: CST.Token; path: PathPart[] }[] = [{ token: doc.value, path: [] }];
    while (stack.length > 0) {
      const { token, path } = stack.pop()!;
      if (token.type !== 'block-map' && token.type !== 'block-seq' && token.type !== 'flow-collection') continue;
      if (path.length >= MAX_NESTING) throw tooDeep(file, path);
      (token.items as { key?: CST.Token | null; value?: CST.Token }[]).forEach((item, i) => {
        const key = item.key ? CST.resolveAsScalar(item.key) : undefined;
        const at = key ? key.value : i;
        if (item.key) stack.push({ token: item.key, path: [...path, at] });
        if (item.value) stack.push({ token: item.value, path: [...path, at] });
      });
    }
  }
}

/** A key given twice in one mapping, with its path (the document is known to be at most MAX_NESTING deep). */
function checkYamlKeys(root: unknown, file: string): void {
  const stack: { node: unknown; path: PathPart[] }[] = [{ node: root, path: [] }];
  while (stack.length > 0) {
    const { node, path } = stack.pop()!;
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (!isPair(pair)) continue;
        const key = isScalar(pair.key) ? String(pair.key.value) : JSON.stringify(pair.key);
        if (seen.has(key)) throw duplicate(file, [...path, key]);
        seen.add(key);
        stack.push({ node: pair.value, path: [...path, key] });
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => stack.push({ node: item, path: [...path, i] }));
    } else if (isAlias(node)) continue;
  }
}

/**
 * Refuses data nested deeper than MAX_NESTING (or holding a cycle), walked without recursion:
 * for data that did not come from a file (a library caller's, a stored run's).
 */
export function checkNesting(data: unknown, file: string): void {
  interface Entry {
    value: unknown;
    depth: number;
    at: PathPart;
    up: Entry | undefined;
  }
  const pathOf = (e: Entry): PathPart[] => {
    const out: PathPart[] = [];
    for (let x: Entry | undefined = e; x?.up; x = x.up) out.unshift(x.at);
    return out;
  };
  if (typeof data !== 'object' || data === null) return;
  // Only containers go on the stack: a list of a million numbers is one entry.
  const stack: Entry[] = [{ value: data, depth: 0, at: '', up: undefined }];
  const visit = (e: Entry, x: unknown, at: PathPart) => {
    if (typeof x === 'object' && x !== null) stack.push({ value: x, depth: e.depth + 1, at, up: e });
  };
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (e.depth >= MAX_NESTING) throw tooDeep(file, pathOf(e));
    const v = e.value as Record<string, unknown> | unknown[];
    if (Array.isArray(v)) for (let i = 0; i < v.length; i++) visit(e, v[i], i);
    else for (const k in v) visit(e, v[k], k);
  }
}
