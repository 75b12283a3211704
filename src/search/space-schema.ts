import { z } from 'zod';
import { positive } from '../io/schema-helpers.js';
import { CONSTRAINT_RE } from '../results/metric-ref.js';

/**
 * A design space: a base design, the parameters to vary (each setting one or more design paths),
 * constraints on metrics, and the objectives. Validated as strictly as a design file.
 */
const amount = z.union([z.number().finite(), z.string().min(1)]);

export const PARAMETER_TYPES = ['int', 'pow2', 'values', 'choice'] as const;

export const parameterSchema = z.strictObject({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected a name of letters, digits and _'),
  type: z.enum(PARAMETER_TYPES).meta({ description: 'int: min..max by step; pow2: powers of two in [min, max]; values: an ordered list; choice: an unordered list (categorical)' }),
  path: z.string().min(1).optional().meta({ description: 'the design field the value is written to, e.g. memory.sram.bytes or compute.matrixUnits[0].count' }),
  set: z
    .record(z.string().min(1), amount)
    .optional()
    .meta({ description: 'several fields set to value x amount each, e.g. {"memory.hbm.stacks": 1, "memory.hbm.bytes": "24 GB"}' }),
  unit: z.string().optional().meta({ description: 'with path: the value is written as "<value> <unit>", e.g. MiB' }),
  min: positive(1e18).optional(),
  max: positive(1e18).optional(),
  step: positive(1e18).optional(),
  values: z.array(z.unknown()).min(1).optional(),
});

export { CONSTRAINT_RE } from '../results/metric-ref.js';

export const spaceSchema = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1),
  notes: z.string().optional(),
  base: z.union([z.string().min(1), z.looseObject({})]).meta({ description: 'the design the parameters modify: a preset name, a path, or an inline design' }),
  workloads: z.array(z.string().min(1)).optional().meta({ description: 'default workloads when the command line gives none' }),
  parameters: z.array(parameterSchema).min(1),
  constraints: z.array(z.string().regex(CONSTRAINT_RE, 'expected "metric op value", e.g. "areaMm2 <= 858"')).default([]),
  objectives: z
    .array(z.strictObject({ metric: z.string().min(1), goal: z.enum(['min', 'max']) }))
    .min(1)
    .max(4)
    .meta({ description: 'one to four metrics to minimize or maximize' }),
  reference: z.array(z.number().finite()).optional().meta({ description: 'hypervolume reference point in objective units (a value worse than any design of interest per objective)' }),
});

export type SpaceFile = z.output<typeof spaceSchema>;
export type ParameterFile = z.output<typeof parameterSchema>;
