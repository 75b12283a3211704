// The evaluation problems the benchmarks time: a design space and the workloads its designs run.
import { join } from 'node:path';
import { ROOT, lib } from './common.mjs';

export const PROBLEMS = {
  'serve-batch256': {
    space: 'inference-chip',
    workloads: [join(ROOT, 'bench/workloads/llama-3-70b-serve-batch256.json')],
    label: 'serving, fixed batch 256',
    about: 'Llama 3 70B on 8 chips (TP8), 256 sequences in flight: one cycle of continuous batching per design (a mixed and a decode-only iteration)',
  },
  'serve-auto': {
    space: 'inference-chip',
    workloads: ['llama-3-70b-serve'],
    label: 'serving, batch "auto"',
    about: 'the shipped llama-3-70b-serve: the highest concurrency that fits and meets the 2 s TTFT and 50 ms TPOT SLOs, found by a secant search on the SLO (continuous batching)',
  },
  train: {
    space: 'training-chip',
    workloads: ['llama-3-70b-train'],
    label: 'training',
    about: 'the shipped llama-3-70b-train: 64 chips (TP8 x DP8), sequence 8192, full recomputation',
  },
};

/** The space, workloads and the data a worker needs to rebuild them (as runSearch passes it to its pool). */
export async function loadProblem(name) {
  const spec = PROBLEMS[name];
  if (!spec) throw new Error(`unknown problem ${name} (${Object.keys(PROBLEMS).join(', ')})`);
  return loadProblemOf(spec.space, spec.workloads);
}

export async function loadProblemOf(spaceRef, workloadRefs) {
  const { loadSpace } = await lib('search/space.js');
  const { loadWorkload } = await lib('workload/load.js');
  const space = loadSpace(spaceRef);
  const workloads = workloadRefs.map((w) => loadWorkload(w));
  const data = { spaceData: { ...space.raw, base: space.base.data }, spaceFile: space.file, workloads };
  return { space, workloads, problem: { space, workloads }, data };
}
