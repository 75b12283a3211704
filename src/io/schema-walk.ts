import { z } from 'zod';

/** Walking a zod schema through its public API only (instanceof and the classes' own accessors). */
export type Schema = z.ZodType;

/** The schema inside optional, default, prefault and nullable wrappers, and the input side of a pipe. */
export function unwrapSchema(s: Schema): Schema {
  let node = s;
  for (;;) {
    if (node instanceof z.ZodOptional || node instanceof z.ZodDefault || node instanceof z.ZodPrefault || node instanceof z.ZodNullable) node = node.unwrap() as Schema;
    else if (node instanceof z.ZodPipe) node = node.in as Schema;
    else return node;
  }
}

const isIndex = (key: PropertyKey) => typeof key === 'number' || (typeof key === 'string' && /^\d+$/.test(key));

/** The schema of a container's field `key`: an object's own field, or an array's element; undefined for anything else (records, unions, transforms). */
export function childSchema(container: Schema, key: PropertyKey): Schema | undefined {
  if (container instanceof z.ZodObject) return typeof key === 'string' && Object.hasOwn(container.shape, key) ? (container.shape[key] as Schema) : undefined;
  if (container instanceof z.ZodArray && isIndex(key)) return container.element as Schema;
  return undefined;
}

/** The keys an object schema allows at `path` (for "unknown key" messages), undefined where the path is not an object. */
export function keysOfSchemaAt(schema: Schema, path: PropertyKey[]): string[] | undefined {
  let node: Schema | undefined = schema;
  for (const part of path) {
    node = childSchema(unwrapSchema(node), part);
    if (!node) return undefined;
  }
  const last = unwrapSchema(node);
  return last instanceof z.ZodObject ? Object.keys(last.shape).filter((k) => k !== '$schema') : undefined;
}
