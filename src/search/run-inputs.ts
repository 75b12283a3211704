/**
 * Self-contained runs: what a run is made from (its space with the base design inlined, and its
 * workloads as loaded, with their models, trace files and mixed workloads) is stored by content
 * when the run is created. Resuming a run, `chipdse detail` and a `chipdse worker` on another
 * machine evaluate what was stored and never read a file again, so a file edited since, or a
 * resume from another folder, cannot mix two problems in one run.
 */
import { ChipdseError } from '../errors.js';
import { deepFreeze } from '../io/freeze.js';
import { locate } from '../io/resolve.js';
import type { RunInputs, RunRow } from '../results/run.js';
import { loadWorkload, WORKLOAD_PRESETS } from '../workload/load.js';
import type { Workload } from '../workload/workload.js';
import type { Problem } from './problem.js';
import { loadSearchWorkloads } from './search-workloads.js';
import { loadSpace, parseSpace, selfContained, SPACE_PRESETS, type Space } from './space.js';

/** Where a reference leads, for the record: a preset's name, or a file's absolute path. */
function sourceOf(ref: string, folder: typeof SPACE_PRESETS): string {
  const l = locate(ref, folder);
  return l.preset ?? l.path;
}

/** A run's inputs: its loaded workloads, and where the space and each workload were read from. */
export function runInputs(spaceRef: string, workloadRefs: string[], workloads: Workload[]): RunInputs {
  return {
    workloads: JSON.parse(JSON.stringify(workloads)),
    sources: { space: sourceOf(spaceRef, SPACE_PRESETS), workloads: workloadRefs.map((w) => sourceOf(w, WORKLOAD_PRESETS)) },
  };
}

/**
 * A stored space, parsed. Its `workloads` (files named by the space file) are left out: a run's
 * workloads are stored with it, and those files need not exist where the run is read.
 */
export function storedSpace(spaceJson: string, label: string): Space {
  const { workloads: _w, ...data } = JSON.parse(spaceJson) as Record<string, unknown>;
  return parseSpace(data, label, process.cwd());
}

/** Workloads stored as plain data, frozen as loaded workloads are (the evaluator memoizes by them). */
export function storedWorkloads(data: unknown[]): Workload[] {
  return data.map((w) => deepFreeze(w as Workload));
}

/**
 * The problem a stored run evaluates: its space and its workloads, both as stored. A run stored
 * before runs kept their workloads loads them from the names it stored, as it always did.
 */
export function storedProblem(run: RunRow): Problem {
  const space = storedSpace(run.spaceJson, `run ${run.name} space`);
  const workloads = run.inputs ? storedWorkloads(run.inputs.workloads) : loadSearchWorkloads(space, run.workloads, `run ${run.name}: workloads`);
  return { space, workloads };
}

/** A workload as compared with its stored copy: everything but the labels naming where it was read from. */
const comparable = (w: unknown): string => JSON.stringify(w, (k, v) => (k === 'source' ? undefined : v));

/**
 * The inputs of a run that are not what it stored any more: files edited since it was created, or
 * gone. Resuming says so in one line and goes on with the stored content.
 */
export function changedInputs(run: RunRow): string[] {
  if (!run.inputs) return [];
  const out: string[] = [];
  const { sources, workloads } = run.inputs;
  sources.workloads.forEach((src, i) => {
    try {
      if (comparable(loadWorkload(src)) !== comparable(workloads[i])) out.push(src);
    } catch (e) {
      if (!(e instanceof ChipdseError)) throw e;
      out.push(`${src} (now unreadable: ${e.message.split('\n')[0]})`);
    }
  });
  if (sources.space) {
    try {
      const { workloads: _a, ...now } = selfContained(loadSpace(sources.space));
      const { workloads: _b, ...stored } = JSON.parse(run.spaceJson) as Record<string, unknown>;
      if (JSON.stringify(now) !== JSON.stringify(stored)) out.push(sources.space);
    } catch (e) {
      if (!(e instanceof ChipdseError)) throw e;
      out.push(`${sources.space} (now unreadable: ${e.message.split('\n')[0]})`);
    }
  }
  return out;
}

/** The one line a resume prints when inputs changed since the run was created. */
export function changedInputsNotice(run: RunRow, changed: string[]): string {
  return `run "${run.name}": ${changed.join(', ')} changed since the run was created (they, or files they name); resuming with the content stored in the run`;
}
