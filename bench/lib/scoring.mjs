// Scoring a search against the exhaustive truth: hypervolume ratio and share of true-front designs found.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHash, lib } from './common.mjs';
import { loadProblemOf } from './problems.mjs';

const { hypervolume, paretoFront } = await lib('pareto/index.js');

/**
 * The truth of a space: every design evaluated (streaming sweep), its feasible front, and two
 * reference points (minimization form): the front's nadir pushed out by 10% of the front's range
 * per objective (the stringent one, used for the ratios), and the worst feasible design's values
 * pushed out the same way (what a search would derive from the whole space). Cached in the OS
 * temporary directory by space, workloads and build, as the sweep of a 10^4 space takes seconds.
 */
export async function truthOf(spaceRef, workloadRefs, { fresh = false } = {}) {
  const { space, data } = await loadProblemOf(spaceRef, workloadRefs);
  const { TOOL_VERSION } = await lib('version.js');
  const cacheDir = join(tmpdir(), 'chipdse-bench');
  const cache = join(cacheDir, `truth-${space.name}-${data.workloads.map((w) => w.name).join('+')}.json`);
  // Keyed on the build too: a model change that leaves the files alone still changes the truth.
  const stamp = JSON.stringify({ space: data.spaceData, workloads: data.workloads, TOOL_VERSION, build: buildHash() });
  if (!fresh && existsSync(cache)) {
    const c = JSON.parse(readFileSync(cache, 'utf8'));
    if (c.stamp === stamp) return { ...c.truth, cached: true };
  }
  const { sweepSpace } = await lib('search/sweep.js');
  const t0 = performance.now();
  const r = await sweepSpace(data, { workers: availableParallelism() });
  const seconds = (performance.now() - t0) / 1000;
  const objectives = r.front.map((p) => p.objectives);
  const m = space.objectives.length;
  const nadir = Array.from({ length: m }, (_, j) => Math.max(...objectives.map((o) => o[j])));
  const ideal = Array.from({ length: m }, (_, j) => Math.min(...objectives.map((o) => o[j])));
  const push = (worst, j) => worst + 0.1 * (worst - ideal[j] || Math.abs(worst) || 1);
  const reference = nadir.map(push);
  const looseReference = r.worst.map(push);
  const truth = {
    space: space.name,
    size: space.size,
    workloads: data.workloads.map((w) => w.name),
    objectives: space.objectives.map((o) => `${o.goal} ${o.metric.label}`),
    feasible: r.feasible,
    frontKeys: r.front.map((p) => p.key),
    front: objectives,
    reference,
    looseReference,
    hypervolume: hypervolume(objectives, reference),
    looseHypervolume: hypervolume(objectives, looseReference),
    sweepSeconds: Number(seconds.toFixed(2)),
  };
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(cache, JSON.stringify({ stamp, truth }));
  return { ...truth, cached: false };
}

/** Hypervolume ratios and share of the true front among the first `budget` evaluated designs. */
export function score(truth, evaluated, budget) {
  const first = evaluated.slice(0, budget).filter((p) => p.feasible);
  const objs = first.map((p) => p.objectives);
  const front = paretoFront(objs).map((i) => objs[i]);
  const keys = new Set(first.map((p) => p.key));
  return {
    budget,
    evaluated: Math.min(budget, evaluated.length),
    hvRatio: hypervolume(front, truth.reference) / truth.hypervolume,
    looseHvRatio: hypervolume(front, truth.looseReference) / truth.looseHypervolume,
    frontFound: truth.frontKeys.filter((k) => keys.has(k)).length / truth.frontKeys.length,
  };
}

export function budgetsOf(size, shares) {
  return shares.map((s) => ({ share: s, budget: Math.round(size * s) }));
}
