/** Dotted field paths with [i] indices (`compute.matrixUnits[0].count`): reading them and writing through them. */
import { ChipdseError } from '../errors.js';

/** The fields of a dotted path with [i] indices: compute.matrixUnits[0].count -> compute, matrixUnits, 0, count. */
export function pathParts(path: string): string[] {
  return path.replace(/\[(\d+)\]/g, '.$1').split('.');
}

/** Field names that would reach an object's prototype instead of a field of the data. */
const FORBIDDEN_FIELDS = new Set(['__proto__', 'prototype', 'constructor']);

/** Why `path` cannot name a field, or undefined when it can. */
export function badPath(path: string): string | undefined {
  const parts = pathParts(path);
  if (parts.some((p) => p === '')) return `"${path}" has an empty field name`;
  const forbidden = parts.find((p) => FORBIDDEN_FIELDS.has(p));
  if (forbidden) return `"${path}": "${forbidden}" is not a design field`;
  return undefined;
}

/** Writes `value` at a dotted path with [i] indices (memory.sram.bytes, compute.matrixUnits[0].count), through own fields only. */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = pathParts(path);
  const why = badPath(path);
  if (why) throw new ChipdseError(`cannot write design field ${why}`);
  let node: Record<string, unknown> | unknown[] = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i];
    let next = Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined;
    if (next === undefined || next === null || typeof next !== 'object') {
      next = /^\d+$/.test(parts[i + 1]) ? [] : {};
      (node as Record<string, unknown>)[key] = next;
    }
    node = next as Record<string, unknown>;
  }
  (node as Record<string, unknown>)[parts[parts.length - 1]] = value;
}

/** A plain object (not an array, not null): what a data file's mappings read as. */
export function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
