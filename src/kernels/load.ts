import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { readDataFile, validate } from '../io/load.js';
import type { KernelParams } from './params.js';
import { kernelOverridesSchema, kernelParamsSchema, type KernelOverrides } from './schema.js';

/**
 * The fitted kernel-law parameters ship in data/kernel-params.json (written by `fitKernels`,
 * src/calibrate/kernel-fit.ts, from NVIDIA AIConfigurator's measured tables, Apache-2.0). The
 * tool reads that file, never the measured tables, so it runs without them.
 */
export const KERNEL_PARAMS_FILE = fileURLToPath(new URL('../../data/kernel-params.json', import.meta.url));
export const KERNEL_PARAMS_SCHEMA_VERSION = 1;

export const kernelParamsFileSchema = z.looseObject({
  schemaVersion: z.literal(KERNEL_PARAMS_SCHEMA_VERSION),
  params: kernelParamsSchema,
  /** Each measured GPU's own levels (efficiencies, launch and start-up times) on top of `params`, by AIConfigurator system name. */
  perSystem: z.record(z.string(), kernelOverridesSchema),
  /** Parameters fitted without one GPU, by AIConfigurator system name: to predict that GPU from its specifications alone. */
  leaveOneOut: z.record(z.string(), kernelParamsSchema),
});

export interface KernelParamsFile {
  schemaVersion: number;
  params: KernelParams;
  perSystem: Record<string, KernelOverrides>;
  leaveOneOut: Record<string, KernelParams>;
  [key: string]: unknown;
}

/** Reads and validates a kernel-parameter file; a bad field is one line naming the file and the field. */
export function readKernelParamsFile(file = KERNEL_PARAMS_FILE): KernelParamsFile {
  return validate(kernelParamsFileSchema, readDataFile(file), file) as KernelParamsFile;
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

const SHIPPED = readKernelParamsFile();

/** The shipped parameters, read once when the module loads (frozen: chips share them). */
export const DEFAULT_KERNEL_PARAMS: KernelParams = deepFreeze(SHIPPED.params);

/** The shipped parameters with each measured GPU's own levels applied, by system name (frozen, shared). */
export const MEASURED_KERNEL_PARAMS: ReadonlyMap<string, KernelParams> = new Map(
  Object.entries(SHIPPED.perSystem).map(([system, levels]) => [system, withKernelOverrides(DEFAULT_KERNEL_PARAMS, levels)]),
);

/** A parameter file's parameters for one measured GPU: shared laws with that GPU's levels. */
export function kernelParamsOfSystem(file: KernelParamsFile, system: string): KernelParams {
  return withKernelOverrides(file.params, file.perSystem[system]);
}

/** `base` with a design's overrides applied; `base` itself when there are none. */
export function withKernelOverrides(base: KernelParams, overrides: (KernelOverrides & { measured?: string }) | undefined): KernelParams {
  if (!overrides) return base;
  const merge = (a: object, b: object | undefined): object => {
    if (!b) return a;
    const out: Record<string, unknown> = { ...a };
    for (const [k, v] of Object.entries(b)) {
      if (v === undefined || k === 'measured') continue;
      out[k] = typeof v === 'object' ? merge((a as Record<string, object>)[k], v) : v;
    }
    return out;
  };
  return deepFreeze(merge(base, overrides) as KernelParams);
}
