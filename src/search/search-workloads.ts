import { ChipdseError, ValidationError } from '../errors.js';
import { loadWorkload } from '../workload/load.js';
import type { Setting } from '../io/settings.js';
import type { Workload } from '../workload/workload.js';
import type { Space } from './space.js';

/**
 * Objectives and constraints that name one workload (`WORKLOAD:metric`) must name one of the
 * search's workloads: checked before the run is created, so a typo leaves no empty run behind.
 */
function checkMetricWorkloads(space: Space, workloads: string[]): void {
  const refs = [
    ...space.objectives.map((x, i) => ({ at: `objectives[${i}].metric`, m: x.metric })),
    ...space.constraints.map((c, i) => ({ at: `constraints[${i}]`, m: c.metric })),
  ];
  const issues = refs
    .filter((r) => r.m.workload !== undefined && !workloads.includes(r.m.workload))
    .map((r) => `${space.file}: ${r.at}: no workload named "${r.m.workload}" in this search (${workloads.join(', ')})`);
  if (issues.length > 0) throw new ChipdseError(issues.join('\n'));
}

/**
 * The workloads of a search, loaded (with `--set` fields when given): `origin` says where the list
 * came from, for errors (the space file's "workloads", the command line, a stored run). Names must be unique, and metrics
 * that name a workload must name one of them.
 */
export function loadSearchWorkloads(space: Space, refs: string[], origin: string, set: readonly Setting[] = []): Workload[] {
  if (refs.length === 0) throw new ChipdseError(`${space.file}: no workloads: give --workload or list them in the space's "workloads"`);
  const workloads = refs.map((w, i) => {
    try {
      return loadWorkload(w, undefined, set);
    } catch (e) {
      if (!(e instanceof ChipdseError) || e instanceof ValidationError) throw e;
      throw new ChipdseError(e.message.split('\n').map((l) => `${origin}[${i}]: ${l}`).join('\n'));
    }
  });
  const names = new Set<string>();
  for (const w of workloads) {
    if (names.has(w.name)) throw new ChipdseError(`${origin}: workload "${w.name}" is given twice`);
    names.add(w.name);
  }
  checkMetricWorkloads(space, [...names]);
  return workloads;
}
