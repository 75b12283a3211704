/**
 * What the charts read of a stored run: its rows, its reference chips and the full evaluations
 * of the designs it stored them for. Nothing is evaluated again: a chart shows the model that
 * scored the run, whatever this build's model would say now.
 */
import { ChipdseError } from '../errors.js';
import type { DesignDetail, ReferenceResult } from '../results/design-detail.js';
import { bestFirst } from '../results/objectives.js';
import type { PointResult } from '../results/point.js';
import type { GenerationStats, RunRow } from '../results/run.js';
import { openRun } from '../store/open.js';
import { shellCommand } from '../text/shell.js';
import { TOOL_VERSION } from '../version.js';

export interface RunData {
  /** Where the run was read from (for the commands a message suggests). */
  db: string;
  run: RunRow;
  points: PointResult[];
  front: PointResult[];
  generations: GenerationStats[];
  /** undefined: the run was stored without them (by an older chipdse). */
  references: ReferenceResult[] | undefined;
  details: Map<string, DesignDetail>;
}

/** A run as the store holds it; the store must exist (a chart never creates one). */
export async function loadRunData(db: string, name: string): Promise<RunData> {
  const { store, run } = await openRun(db, name, { readOnly: true });
  try {
    const [points, front, generations, references, details] = [await store.loadEvaluations(run.id), await store.loadFront(run.id), await store.loadGenerations(run.id), await store.loadReferences(run.id), await store.loadDetails(run.id)];
    return { db: store.location, run, points, front, generations, references, details: new Map(details.map((d) => [d.genome, d])) };
  } finally {
    await store.close();
  }
}

/** The front, best first by the first objective. */
export function frontByFirstObjective(d: RunData): PointResult[] {
  return bestFirst(d.front);
}

/** The design a single-design chart shows: the genome asked for, else the front's best on the first objective. */
export function chosenDesign(d: RunData, genome: string | undefined): PointResult {
  if (genome !== undefined) {
    const p = d.points.find((x) => x.key === genome);
    if (!p) throw new ChipdseError(`run ${d.run.name}: no evaluated design "${genome}" (${shellCommand(['chipdse', 'front', '--run', d.run.name])} lists the front's genomes)`);
    return p;
  }
  const best = frontByFirstObjective(d)[0];
  if (!best) throw new ChipdseError(`run ${d.run.name}: no feasible design yet, so no design to draw (chipdse chart --genome G draws any evaluated one)`);
  return best;
}

/** The stored full evaluation of a design of the run; without one, a one-line error that says why and how to store it. */
export function storedDetail(d: RunData, p: PointResult): DesignDetail {
  const detail = d.details.get(p.key);
  if (detail) return detail;
  const missing = `run ${d.run.name}: design ${p.key} has no stored per-step detail`;
  if (p.metrics === null) throw new ChipdseError(`${missing}: it is an invalid design, with no evaluation to draw`);
  const onFront = d.front.some((x) => x.key === p.key);
  const why = !onFront ? 'a run stores it for the designs of its final front' : d.run.status === 'running' ? 'the run stores it for its front when it ends' : 'the run was stored by a chipdse that did not keep it';
  const how = d.run.toolVersion === TOOL_VERSION ? `store it with: ${shellCommand(['chipdse', 'detail', '--run', d.run.name, '--genome', p.key, '--db', d.db])}` : `it would take chipdse ${d.run.toolVersion}'s model, which scored the run (this is ${TOOL_VERSION})`;
  throw new ChipdseError(`${missing} (${why}); ${how}`);
}

/** " (chipdse X)" after a run's name when another chipdse version stored it: its charts show that version's model. */
export function versionMark(run: RunRow): string {
  return run.toolVersion === TOOL_VERSION ? '' : ` (chipdse ${run.toolVersion}; this is ${TOOL_VERSION})`;
}
