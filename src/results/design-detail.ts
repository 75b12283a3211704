import type { Chip } from '../chip/chip.js';
import { gemmLane } from '../kernels/lanes.js';
import type { FormatName } from '../precision/formats.js';
import type { Evaluation, Metrics } from './metrics.js';

/**
 * What a roofline draws of a chip: its peaks per format, the efficiencies the step model applies,
 * and its memory bandwidths. A Chip has these fields; a store keeps only them.
 * `matrixByFormat`: the main-loop efficiency of the GEMM lane each format runs in (kernel laws:
 * fp8 and fp4 reach less of their peak than bf16); runs stored before it have `matrix` only.
 */
export type ChipCeilings = Pick<Chip, 'name' | 'peakMacsPerSec' | 'vectorFlopsPerSec' | 'sramBytesPerSec' | 'hbmBytesPerSec' | 'dramBytesPerSec'> & {
  efficiency: Pick<Chip['efficiency'], 'matrix' | 'memory'> & { matrixByFormat?: Partial<Record<FormatName, number>> };
};

export function chipCeilings(chip: Chip): ChipCeilings {
  const matrixByFormat: Partial<Record<FormatName, number>> = {};
  for (const f in chip.peakMacsPerSec) {
    const format = f as FormatName;
    // The per-tensor-scaled lane of the format (fp4 and narrower run block-scaled: their only lane).
    matrixByFormat[format] = chip.kernels.gemm[gemmLane(format, false)].efficiency;
  }
  return {
    name: chip.name,
    peakMacsPerSec: { ...chip.peakMacsPerSec },
    vectorFlopsPerSec: chip.vectorFlopsPerSec,
    sramBytesPerSec: chip.sramBytesPerSec,
    hbmBytesPerSec: chip.hbmBytesPerSec,
    dramBytesPerSec: chip.dramBytesPerSec,
    efficiency: { matrix: chip.efficiency.matrix, memory: chip.efficiency.memory, matrixByFormat },
  };
}

/**
 * One design of a run evaluated in full (every phase, every step) on the run's workloads, by the
 * model that scored the run: what a roofline and an energy-by-step chart draw. A run stores it
 * for the designs of its final front; `chipdse detail` adds it for any other design.
 */
export interface DesignDetail {
  genome: string;
  chip: ChipCeilings;
  evaluations: Evaluation[];
}

/**
 * A known chip (a preset, or a design the user named) evaluated on a run's workloads when the run
 * was created, by the same model: drawn beside the run's designs.
 */
export interface ReferenceResult {
  name: string;
  feasible: boolean;
  /** Why it is infeasible (empty when feasible), as a design's reasons read. */
  reasons: string[];
  /** Metrics per workload name, as a run stores them. */
  metrics: Record<string, Metrics>;
}
