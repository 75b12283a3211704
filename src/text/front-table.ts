import { bestFirst, objectiveValues } from '../results/objectives.js';
import type { PointResult } from '../results/point.js';
import type { ObjectiveSpec } from '../results/run.js';
import { paramText, table } from './format.js';

/**
 * A front as rows: genome, parameters (a set of formats as its names), objectives in their own
 * units to 4 significant digits; best first by the first objective. `chipdse front`, `chipdse
 * sweep` and the HTML report all show this table.
 */
export function frontTableRows(run: { objectives: ObjectiveSpec[] }, front: PointResult[]): { header: string[]; rows: string[][] } {
  const params = Object.keys(front[0]?.params ?? {});
  const rows = bestFirst(front).map((p) => {
    const obj = objectiveValues(run, p);
    return [p.key, ...params.map((k) => paramText(p.params[k])), ...run.objectives.map((o) => Number(obj[o.metric].toPrecision(4)).toString())];
  });
  return { header: ['genome', ...params, ...run.objectives.map((o) => `${o.goal} ${o.metric}`)], rows };
}

/** The front as a text table. */
export function frontTable(run: { objectives: ObjectiveSpec[] }, front: PointResult[]): string {
  const { header, rows } = frontTableRows(run, front);
  return table(rows, header);
}
