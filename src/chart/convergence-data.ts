import type { GenerationStats } from '../results/run.js';
import { chooseScale, type ScaleType } from './data.js';

export interface ConvergenceRow extends GenerationStats {
  run: string;
}

export interface ConvergenceData {
  /** The series, one per run; named with its chipdse version when the runs' versions differ. */
  runs: string[];
  rows: ConvergenceRow[];
  hypervolumeScale: ScaleType;
  /** The chipdse versions of the runs, when they differ (their hypervolumes come from different models). */
  versions: string[] | undefined;
}

/** Hypervolume and feasible share per generation, one series per run. */
export function convergenceData(runs: { name: string; generations: GenerationStats[]; toolVersion?: string }[]): ConvergenceData {
  const versions = [...new Set(runs.map((r) => r.toolVersion).filter((v): v is string => v !== undefined))];
  const mixed = versions.length > 1;
  const series = runs.map((r) => (mixed ? `${r.name} (chipdse ${r.toolVersion ?? '?'})` : r.name));
  const rows = runs.flatMap((r, i) => r.generations.map((g) => ({ run: series[i], ...g })));
  return { runs: series, rows, hypervolumeScale: chooseScale(rows.map((r) => r.hypervolume)), versions: mixed ? versions : undefined };
}
