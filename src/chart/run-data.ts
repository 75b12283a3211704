/**
 * What the charts read from a stored run: its rows, its space, and (for the roofline and the
 * per-step energy) one design evaluated again, since a run stores metrics but not steps.
 */
import { existsSync } from 'node:fs';
import type { Chip } from '../chip/chip.js';
import { listDesignPresets, loadDesign, parseDesign } from '../chip/load.js';
import { ChipdseError } from '../errors.js';
import { evaluate } from '../eval/evaluate.js';
import type { Evaluation } from '../eval/types.js';
import type { PointResult } from '../search/problem.js';
import { designForGenome, parseSpace, type Space } from '../search/space.js';
import { RunStore, type GenerationStats, type RunRow } from '../store/sqlite.js';
import { loadWorkload } from '../workload/load.js';
import type { Workload } from '../workload/workload.js';
import type { ReferenceChip } from './data.js';

export interface RunData {
  run: RunRow;
  points: PointResult[];
  front: PointResult[];
  generations: GenerationStats[];
}

/** A run's rows; the database must exist (opening a missing one would create it). */
export function loadRunData(db: string, name: string): RunData {
  if (db !== ':memory:' && !existsSync(db)) throw new ChipdseError(`${db}: no such database (give --db, or run chipdse search first)`);
  const store = new RunStore(db);
  try {
    const run = store.getRun(name);
    if (!run) {
      const names = store.listRuns().map((r) => r.name);
      throw new ChipdseError(`${db}: no run named "${name}"${names.length ? ` (runs: ${names.join(', ')})` : ' (the database has no runs)'}`);
    }
    return { run, points: store.loadEvaluations(run.id), front: store.loadFront(run.id), generations: store.loadGenerations(run.id) };
  } finally {
    store.close();
  }
}

/** The run's space, as stored with it (base design inlined). */
export function runSpace(run: RunRow): Space {
  return parseSpace(JSON.parse(run.spaceJson), `run ${run.name} space`, process.cwd());
}

export function runWorkloads(run: RunRow): Workload[] {
  return run.workloads.map((w) => loadWorkload(w));
}

/** The front sorted by the first objective, best first (objectives are stored in minimization form). */
export function frontByFirstObjective(d: RunData): PointResult[] {
  return [...d.front].sort((a, b) => a.objectives[0] - b.objectives[0] || a.key.localeCompare(b.key));
}

/** The design a single-design chart shows: the genome asked for, else the front's best on the first objective. */
export function chosenDesign(d: RunData, genome: string | undefined): PointResult {
  if (genome !== undefined) {
    const p = d.points.find((x) => x.key === genome);
    if (!p) throw new ChipdseError(`run ${d.run.name}: no evaluated design "${genome}" (chipdse front --run ${d.run.name} lists the front's genomes)`);
    return p;
  }
  const best = frontByFirstObjective(d)[0];
  if (!best) throw new ChipdseError(`run ${d.run.name}: no feasible design yet, so no design to draw (chipdse chart --genome G draws any evaluated one)`);
  return best;
}

/** A stored design built and evaluated again on the run's workloads. */
export function evaluateRunDesign(d: RunData, p: PointResult): { chip: Chip; evaluations: Evaluation[] } {
  const space = runSpace(d.run);
  const chip = parseDesign(designForGenome(space, p.genome), `${space.name} design ${p.key}`).chip;
  return { chip, evaluations: runWorkloads(d.run).map((w) => evaluate(chip, w)) };
}

/** Preset designs evaluated on the run's workloads: the known chips to compare a front with. */
export function referenceChips(workloads: Workload[], designs: string[] = listDesignPresets()): ReferenceChip[] {
  return designs.map((name) => {
    const chip = loadDesign(name);
    const evals = workloads.map((w) => evaluate(chip, w));
    return { name, feasible: evals.every((e) => e.feasible), metrics: Object.fromEntries(evals.map((e) => [e.workload, e.metrics])) };
  });
}
