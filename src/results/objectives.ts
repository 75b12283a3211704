import type { PointResult } from './point.js';
import type { ObjectiveSpec } from './run.js';

/** Objective values back in their own units (maximized ones were negated for the search), by metric label. */
export function objectiveValues(run: { objectives: ObjectiveSpec[] }, p: Pick<PointResult, 'objectives'>): Record<string, number> {
  return Object.fromEntries(run.objectives.map((o, i) => [o.metric, o.goal === 'max' ? -p.objectives[i] : p.objectives[i]]));
}

/** Points best first by the first objective (minimization form); ties keep their stored order. */
export function bestFirst<T extends Pick<PointResult, 'objectives'>>(points: readonly T[]): T[] {
  return [...points].sort((a, b) => a.objectives[0] - b.objectives[0]);
}
