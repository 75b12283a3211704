import type { Issue } from '../errors.js';
import { DESIGN_PRESETS, parseDesign } from '../chip/load.js';
import { inField } from '../io/load.js';
import { readLocated } from '../io/resolve.js';
import { servingSchema, type WorkloadFile } from './schema.js';
import type { ServingOptions } from './workload.js';

const DEFAULTS = servingSchema.parse({});

/** The serving options of a validated workload file, defaults filled in and the prefill pool's design loaded. */
export function servingOptions(w: WorkloadFile, file: string, baseDir: string): ServingOptions {
  const s = w.serving ?? DEFAULTS;
  const d = s.disaggregated;
  const prefillChip = d?.prefillDesign
    ? (() => {
        const { located, data } = inField(file, 'serving.disaggregated.prefillDesign', () => readLocated(d.prefillDesign!, DESIGN_PRESETS, baseDir));
        return parseDesign(data, located.label).chip;
      })()
    : undefined;
  return {
    tokenBudget: s.tokenBudget,
    memoryUtilization: s.memoryUtilization,
    kvCache: s.kvCache,
    maxContextTokens: s.maxContextTokens,
    prefixCacheHitRate: s.prefixCacheHitRate,
    arrivalRatePerSec: s.arrivalRatePerSec,
    requestsPerClient: s.requestsPerClient,
    expertRoutingGini: s.expertRoutingGini,
    schedule: s.schedule,
    iterationOverheadSec: s.iterationOverheadSec,
    eagerLayerSec: s.eagerLayerSec,
    disaggregated: d ? { prefillChip, prefillParallelism: d.prefillParallelism ?? w.parallelism } : undefined,
  };
}

/** Serving options that contradict the rest of the workload. */
export function servingIssues(w: WorkloadFile): Issue[] {
  const s = w.serving;
  if (!s) return [];
  const issues: Issue[] = [];
  if (w.phase === 'train') issues.push({ path: 'serving', message: 'has no meaning for phase train' });
  if (s.maxContextTokens !== undefined && s.maxContextTokens < w.inputTokens + w.outputTokens) {
    issues.push({ path: 'serving.maxContextTokens', message: `${s.maxContextTokens} is shorter than a request (inputTokens + outputTokens = ${w.inputTokens + w.outputTokens}); the engine would refuse it` });
  }
  if (s.arrivalRatePerSec !== undefined && s.requestsPerClient !== undefined) {
    issues.push({ path: 'serving.requestsPerClient', message: 'is for a closed loop; give either it or arrivalRatePerSec (an open loop), not both' });
  }
  if (s.disaggregated && w.phase !== 'serve') issues.push({ path: 'serving.disaggregated', message: `needs phase serve (prefill and decode), not ${w.phase}` });
  if (s.arrivalRatePerSec !== undefined) {
    if (w.phase !== 'serve') issues.push({ path: 'serving.arrivalRatePerSec', message: `an open loop needs phase serve, not ${w.phase}` });
    if (w.batch !== 'auto') issues.push({ path: 'batch', message: 'must be "auto" with serving.arrivalRatePerSec: the arrival rate sets the concurrency' });
    if (s.disaggregated) issues.push({ path: 'serving.arrivalRatePerSec', message: 'not with serving.disaggregated (its pools run as closed loops at their concurrencies)' });
  }
  return issues;
}
