import { listDesignPresets, loadDesign } from '../chip/load.js';
import { evaluate } from '../eval/evaluate.js';
import type { Metrics } from '../eval/types.js';
import type { ReferenceResult } from '../results/design-detail.js';
import { nonFiniteNumbers, withoutNonFinite } from '../results/finite.js';
import type { Workload } from '../workload/workload.js';

/**
 * Known chips evaluated on a run's workloads, once, when the run is created: stored with the run,
 * so a chart draws them beside the run's designs as the same model scored them. `designs`: preset
 * names or design files (default: every shipped preset).
 */
export function evaluateReferenceChips(workloads: Workload[], designs: string[] = listDesignPresets()): ReferenceResult[] {
  return designs.map((ref) => {
    const chip = loadDesign(ref);
    const metrics: Record<string, Metrics> = {};
    const reasons: string[] = [];
    let feasible = true;
    for (const w of workloads) {
      const e = evaluate(chip, w);
      const bad = nonFiniteNumbers(e.metrics);
      const prefix = workloads.length > 1 ? `${w.name}: ` : '';
      metrics[w.name] = bad.length > 0 ? withoutNonFinite(e.metrics) : e.metrics;
      if (!e.feasible || bad.length > 0) feasible = false;
      reasons.push(...e.reasons.map((r) => prefix + r));
      if (bad.length > 0) reasons.push(`${prefix}cannot be computed: ${bad.join(', ')}`);
    }
    return { name: chip.name, feasible, reasons, metrics };
  });
}
