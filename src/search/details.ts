import { evaluate } from '../eval/evaluate.js';
import { chipCeilings, type DesignDetail } from '../results/design-detail.js';
import { withoutNonFinite } from '../results/finite.js';
import { genomeKey } from '../results/point.js';
import type { Workload } from '../workload/workload.js';
import { chipForGenome } from './design-template.js';
import type { Space } from './space.js';

/**
 * One design of a space evaluated in full (every phase and step) on the workloads: what a run
 * stores for the roofline and energy-by-step charts. A number that cannot be computed is stored
 * as null (the chart leaves such a step out). Throws the design's ValidationError if it is invalid.
 */
export function designDetail(space: Space, workloads: Workload[], genome: readonly number[]): DesignDetail {
  const key = genomeKey(genome);
  const chip = chipForGenome(space, genome, `${space.name} design ${key}`, key);
  return withoutNonFinite({ genome: key, chip: chipCeilings(chip), evaluations: workloads.map((w) => evaluate(chip, w)) });
}
