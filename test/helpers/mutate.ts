import seedrandom from 'seedrandom';

/**
 * Seeded structural mutations of JSON-like data, for fuzz tests: delete a key, change a value's
 * type, set a NaN-like, huge, tiny, negative or zero value, rename a key, empty or grow an array.
 * The same seed gives the same sequence of mutants.
 */

export type Rng = () => number;

export function makeRng(seed: string): Rng {
  return seedrandom(seed);
}

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

/** Values that break assumptions: wrong types, non-finite and extreme numbers, odd strings with units. */
export const WEIRD_VALUES: readonly unknown[] = [
  null, true, false, '', ' ', 'abc', 0, -0, -1, 0.5, 1, 3, 1e-300, 5e-324, 1e30, 1e308, -1e308, 2 ** 53 + 1, 1e15,
  NaN, Infinity, -Infinity, 'NaN', 'Infinity', '-Infinity', '1e400 GB', '-1 GB', '0 GB', '1e30 B', 'NaN GB', ' 80 GB ', '80GB', '80 gb',
  '1.83 GHz', '3.35 TB/s', '1 us', '700 W', '0 s', '1e-400 s', [], [1], [null], {}, { a: 1 }, 'fp8', 'bf16', 'int1', 'fp5', 'auto',
  'switch', 'hypercube', 'llama-3-8b', 'no-such-preset', 'serve', 'train', '__proto__', 'constructor',
];

const WEIRD_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'x', '', 'bytes', 'name', '$schema'];

type Node = Record<string, unknown> | unknown[];
type Slot = { parent: Node; key: string | number; value: unknown };

/** Every (parent, key) slot in the tree, depth-first. */
function slots(root: unknown): Slot[] {
  const out: Slot[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) {
      node.forEach((v, i) => {
        out.push({ parent: node, key: i, value: v });
        walk(v);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        out.push({ parent: node as Record<string, unknown>, key: k, value: v });
        walk(v);
      }
    }
  };
  walk(root);
  return out;
}

/** A value as text for a test's failure message (NaN and Infinity as such, objects as JSON). */
export function describe(v: unknown): string {
  return typeof v === 'number' || v === undefined ? String(v) : JSON.stringify(v);
}

function numericVariant(rng: Rng, v: number): unknown {
  return pick(rng, [-v, 0, v * 1e30, v * 1e-30, v + 0.5, Math.round(v * 7.3), NaN, Infinity, -Infinity, v * 2, v / 3, String(v), `${v} GB`]);
}

function set(s: Slot, value: unknown): void {
  if (Array.isArray(s.parent)) s.parent[s.key as number] = value;
  else Object.defineProperty(s.parent, s.key as string, { value, enumerable: true, writable: true, configurable: true });
}

/** Applies one random mutation to `root` in place; returns a short description. */
export function mutateOnce(root: Record<string, unknown>, rng: Rng): string {
  const all = slots(root);
  if (all.length === 0) return 'nothing to mutate';
  const s = pick(rng, all);
  const op = Math.floor(rng() * 7);
  switch (op) {
    case 0: {
      if (Array.isArray(s.parent)) s.parent.splice(s.key as number, 1);
      else delete s.parent[s.key as string];
      return `delete ${String(s.key)}`;
    }
    case 1: {
      const v = pick(rng, WEIRD_VALUES);
      set(s, structuredClone(v));
      return `set ${String(s.key)} = ${describe(v)}`;
    }
    case 2: {
      if (typeof s.value === 'number') {
        const v = numericVariant(rng, s.value);
        set(s, v);
        return `numeric ${String(s.key)} = ${describe(v)}`;
      }
      if (typeof s.value === 'string') {
        const v = pick(rng, [s.value.toUpperCase(), s.value + 'x', s.value.slice(0, -1), `-${s.value}`, `${s.value} ${s.value}`, s.value.replace(/\d+(\.\d+)?/, '1e40')]);
        set(s, v);
        return `string ${String(s.key)} = ${v}`;
      }
      const v = pick(rng, WEIRD_VALUES);
      set(s, v);
      return `replace ${String(s.key)} = ${describe(v)}`;
    }
    case 3: {
      if (Array.isArray(s.parent)) {
        s.parent.push(structuredClone(s.value));
        return `duplicate [${String(s.key)}]`;
      }
      const newKey = rng() < 0.5 ? pick(rng, WEIRD_KEYS) : `${String(s.key)}${pick(rng, ['s', '_', 'X'])}`;
      delete s.parent[s.key as string];
      Object.defineProperty(s.parent, newKey, { value: s.value, enumerable: true, writable: true, configurable: true });
      return `rename ${String(s.key)} -> ${newKey}`;
    }
    case 4: {
      if (Array.isArray(s.value)) {
        set(s, rng() < 0.5 ? [] : [...s.value, ...s.value]);
        return `array ${String(s.key)}`;
      }
      if (s.value !== null && typeof s.value === 'object') {
        set(s, rng() < 0.5 ? {} : [s.value]);
        return `object ${String(s.key)}`;
      }
      set(s, [s.value]);
      return `wrap ${String(s.key)}`;
    }
    case 5: {
      if (!Array.isArray(s.parent)) {
        const key = pick(rng, WEIRD_KEYS);
        Object.defineProperty(s.parent, key, { value: pick(rng, WEIRD_VALUES), enumerable: true, writable: true, configurable: true });
        return `add key ${key}`;
      }
      s.parent.length = 0;
      return 'empty array';
    }
    default: {
      if (typeof s.value === 'number') {
        const v = pick(rng, [NaN, Infinity, -Infinity, 1e308, -1, 0, 1e-320]);
        set(s, v);
        return `extreme ${String(s.key)} = ${v}`;
      }
      const v = typeof s.value === 'string' ? pick(rng, [1e30, -5, 0, 'NaN']) : pick(rng, WEIRD_VALUES);
      set(s, v);
      return `retype ${String(s.key)} = ${describe(v)}`;
    }
  }
}

/** A deep copy of `base` with 1 to `max` mutations, and what was done. */
export function mutant<T extends Record<string, unknown>>(base: T, rng: Rng, max = 3): { data: T; ops: string[] } {
  const data = structuredClone(base);
  const n = 1 + Math.floor(rng() * max);
  const ops: string[] = [];
  for (let i = 0; i < n; i++) ops.push(mutateOnce(data, rng));
  return { data, ops };
}

/** JSON text cut at a random point (or with a random character dropped or doubled). */
export function truncatedText(text: string, rng: Rng): string {
  const at = Math.floor(rng() * text.length);
  switch (Math.floor(rng() * 3)) {
    case 0:
      return text.slice(0, at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1);
    default:
      return text.slice(0, at) + text[at] + text.slice(at);
  }
}
