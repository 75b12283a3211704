// The evaluation problems the benchmarks time: a design space and the workloads its designs run.
import { join } from 'node:path';
import { ROOT, lib } from './common.mjs';

export const PROBLEMS = {
  'serve-batch256': {
    space: 'inference-chip',
    workloads: [join(ROOT, 'bench/workloads/llama-3-70b-serve-batch256.json')],
    label: 'serving, fixed batch 256',
    about: 'Llama 3 70B on 8 chips (TP8): a prefill and a decode evaluation per design (plus one single-request prefill for TTFT)',
  },
  'serve-auto': {
    space: 'inference-chip',
    workloads: ['llama-3-70b-serve'],
    label: 'serving, batch "auto"',
    about: 'the shipped llama-3-70b-serve: batches 1, 2, 4, ... evaluated until memory runs out, the best one meeting the 50 ms TPOT SLO kept',
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
