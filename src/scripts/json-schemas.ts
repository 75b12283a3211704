/**
 * A build step (`npm run build` runs it after tsc): writes the JSON Schemas for editors, generated
 * from the same zod definitions the loaders validate with, next to the files they describe.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { designSchema } from '../chip/schema.js';
import { DESIGNS_DIR } from '../chip/load.js';
import { workloadSchema, traceFileSchema } from '../workload/schema.js';
import { WORKLOADS_DIR } from '../workload/load.js';
import { spaceSchema } from '../search/space-schema.js';
import { batchSchema } from '../search/batch.js';

/**
 * A schema for files that may `extends` another: the key is allowed, and a file that has it needs
 * none of the top-level required fields (it inherits them). Fields required inside an object the
 * file gives only in part are still asked for by editors; the loader checks the merged file.
 */
function extendable(schema: Record<string, unknown>, what: string): Record<string, unknown> {
  const { required, properties, ...rest } = schema as { required?: string[]; properties: Record<string, unknown> };
  const ext = { type: 'string', description: `a ${what} preset name or a path (relative to this file) whose fields this file starts from: objects merge, other values replace, null removes` };
  return { ...rest, properties: { $schema: properties.$schema, extends: ext, ...properties }, ...(required ? { if: { required: ['extends'] }, then: {}, else: { required } } : {}) };
}

/** The JSON Schemas by the file each is written to. */
export function jsonSchemas(): Record<string, unknown> {
  const gen = (s: z.ZodType, title: string) => ({ title, ...z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) });
  return {
    [join(DESIGNS_DIR, 'design.schema.json')]: extendable(gen(designSchema, 'chipdse design'), 'design'),
    [join(WORKLOADS_DIR, 'workload.schema.json')]: extendable(gen(workloadSchema, 'chipdse workload'), 'workload'),
    [join(WORKLOADS_DIR, 'trace.schema.json')]: gen(traceFileSchema, 'chipdse trace'),
    [join(DESIGNS_DIR, 'space.schema.json')]: gen(spaceSchema, 'chipdse design space'),
    [join(DESIGNS_DIR, 'batch.schema.json')]: gen(batchSchema, 'chipdse batch'),
  };
}

export function writeJsonSchemas(): string[] {
  const out = jsonSchemas();
  for (const [file, schema] of Object.entries(out)) writeFileSync(file, JSON.stringify(schema, null, 2) + '\n');
  return Object.keys(out);
}

if (import.meta.url === `file://${process.argv[1]}`) writeJsonSchemas();
