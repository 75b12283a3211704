import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { deepFreeze } from '../io/freeze.js';
import { readDataFile, validate } from '../io/load.js';
import { parseJsonText } from '../io/parse-text.js';
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

/**
 * The shipped parameters: the shared laws, and each measured GPU's with its own levels applied (by
 * system name), read from data/kernel-params.json when first asked for, frozen and shared by every
 * chip. The file is the tool's own (not an input), so the input-size limit does not apply to it;
 * it is still validated, and a broken install is one line naming the file.
 */
interface Shipped {
  params: KernelParams;
  measured: ReadonlyMap<string, KernelParams>;
}
let shipped: Shipped | undefined;

function shippedParams(): Shipped {
  if (!shipped) {
    const file = validate(kernelParamsFileSchema, parseJsonText(readFileSync(KERNEL_PARAMS_FILE, 'utf8'), KERNEL_PARAMS_FILE), KERNEL_PARAMS_FILE) as KernelParamsFile;
    const params = deepFreeze(file.params);
    shipped = { params, measured: new Map(Object.entries(file.perSystem).map(([system, levels]) => [system, withKernelOverrides(params, levels)])) };
  }
  return shipped;
}

/** The shipped parameters (frozen: chips share them). */
export function defaultKernelParams(): KernelParams {
  return shippedParams().params;
}

/** The shipped parameters with each measured GPU's own levels applied, by system name (frozen, shared). */
export function measuredKernelParams(): ReadonlyMap<string, KernelParams> {
  return shippedParams().measured;
}

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
