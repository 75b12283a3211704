// The distributed section of BENCHMARKS.md, from bench/results/distributed.json (bench/distributed.mjs).
import { MAX_OVERHEAD_SHARE } from '../../dist/search/job-size.js';

/** Paragraphs and tables for `say`; `f` holds report.mjs's formatters. */
export function distributedSection(d, f) {
  const { table, spread, int, num, provenance } = f;
  const s = d.seconds;
  const e = d.evaluationsPerSec;
  const N = d.problem.designs;
  const P = d.problem.population;
  const t1 = s.distributed1.median;
  const local = s.localSqlite.median;
  const ms = (x) => num(x * 1e3, 2);
  const cpu = (k) => (d.coordinatorCpuSec[k] ? spread(d.coordinatorCpuSec[k], (x) => num(x, 2)) : '-');
  // The projection's inputs, per design (seconds).
  const te = d.workerSecPerDesign.distributed1;
  const c = d.coordinatorCpuSec.distributed1.median / N;
  const sv = d.serverCpuSec.distributed1.median / N;
  const o = d.overhead.perJobSec;
  /** Jobs a generation of P designs is cut into when each must hold o / (share x t) designs (src/search/job-size.ts). */
  const jobsPerGeneration = (t) => Math.max(1, Math.floor((P * t * MAX_OVERHEAD_SHARE) / o));
  const project = (t) => {
    const jobs = Math.min(100, jobsPerGeneration(t));
    const J = P / jobs;
    const workers = jobs / (t + o / J);
    const limits = { workers, coordinator: 1 / c, server: d.machine.nproc / sv };
    const [by, rate] = Object.entries(limits).sort((a, b) => a[1] - b[1])[0];
    return { jobs, J, workers, rate, by };
  };
  const today = project(te);
  const costly = project(100 * te);
  return [
    '## Distributed runs: PostgreSQL and `chipdse worker` processes',
    provenance(d),
    `One exhaustive search of \`${d.problem.space}\` (${int(N)} designs, generations of ${int(P)}) on ${d.problem.workloads.join(' and ')}, each case as whole processes, ${d.reps} repetition(s): \`chipdse search\` evaluating on its own thread into SQLite; the same into PostgreSQL ${d.server.split(' ')[0]} (a local server, over loopback); and \`--distribute\` over 1 and 2 \`chipdse worker\` processes started beforehand, with the default job sizing. Every case stores the same rows. The coordinator, the workers and the server share this machine's ${d.machine.nproc} cores, so the 2-worker case has 4 busy processes on 2 cores.`,
    table(
      ['case', 'seconds', 'evaluations/s', 'vs local SQLite', 'coordinator CPU s', 'server CPU s', 'jobs', 'worker ms per design'],
      [
        ['local, SQLite', spread(s.localSqlite, (x) => num(x, 2)), spread(e.localSqlite), '1.00', cpu('localSqlite'), '-', '-', '-'],
        ['local, PostgreSQL storage', spread(s.localPg, (x) => num(x, 2)), spread(e.localPg), num(local / s.localPg.median, 2), cpu('localPg'), num(d.serverCpuSec.localPg.median, 2), '-', '-'],
        ['distributed, 1 worker', spread(s.distributed1, (x) => num(x, 2)), spread(e.distributed1), num(local / t1, 2), cpu('distributed1'), num(d.serverCpuSec.distributed1.median, 2), int(d.jobs.distributed1), ms(d.workerSecPerDesign.distributed1)],
        ['distributed, 2 workers', spread(s.distributed2, (x) => num(x, 2)), spread(e.distributed2), num(local / s.distributed2.median, 2), cpu('distributed2'), num(d.serverCpuSec.distributed2.median, 2), int(d.jobs.distributed2), ms(d.workerSecPerDesign.distributed2)],
      ],
    ),
    `"Coordinator CPU" is the \`chipdse search\` process's user + system time (\`/usr/bin/time\`); "server CPU" the PostgreSQL processes' meanwhile (from /proc, ended backends included); "worker ms per design" the workers' own timing of their evaluations (\`chipdse workers\` shows it too).`,
    `**Queue overhead.** Per job: the same ${int(d.overhead.designs)} designs (${d.overhead.workload}) distributed over 1 worker in jobs of 1 design took ${spread(d.overhead.perDesignJobsSec, (x) => num(x, 2))} s, in one job ${spread(d.overhead.oneJobSec, (x) => num(x, 2))} s: the difference over the ${int(d.overhead.designs - 1)} extra jobs is **${ms(o)} ms per job** (a worker's fetch, staging and completion, the coordinator's wake-up, pg-boss's bookkeeping). Per design, at the default job size: (distributed over 1 worker - local with PostgreSQL storage) / ${int(N)} designs = (${num(t1, 2)} - ${num(s.localPg.median, 2)}) s / ${int(N)} = **${ms(d.overhead.perDesignSec)} ms per design** (a design's result is written to staging and read back besides being stored). \`src/search/job-size.ts\` plans with 10 ms per job.`,
    `**Projection to 100 workers** (each on a core of its own), from the 1-worker run's figures per design: evaluation t = ${ms(te)} ms, coordinator CPU c = ${ms(c)} ms, server CPU s = ${ms(sv)} ms, and o = ${ms(o)} ms per job. A run goes no faster than the slowest of: the workers, jobs / (t + o / J) designs/s with J designs per job; the coordinator, 1 / c = ${int(1 / c)} designs/s (its work is serial); the server, cores / s (${d.machine.nproc} cores: ${int(d.machine.nproc / sv)} designs/s). Jobs keep o under ${MAX_OVERHEAD_SHARE * 100}% of their time, so a generation of ${int(P)} designs makes at most floor(${int(P)} x t x ${MAX_OVERHEAD_SHARE} / o) jobs, and only that many workers have work.`,
    table(
      ['model', 't (ms per design)', 'jobs per generation (workers busy)', 'designs per job', 'workers bound /s', 'coordinator bound /s', 'server bound /s', 'projected /s', 'limited by'],
      [
        ['today', ms(te), int(today.jobs), int(today.J), int(today.workers), int(1 / c), int(d.machine.nproc / sv), int(today.rate), today.by],
        ['100 times costlier per design', ms(100 * te), int(costly.jobs), int(costly.J), int(costly.workers), int(1 / c), int(d.machine.nproc / sv), int(costly.rate), costly.by],
      ],
    ),
    `So with today's model 100 workers bring nothing over a few: a generation holds too little evaluation to cut into many jobs worth their overhead, and the coordinator and the server bound the rate near the local run's. As the model gets costlier per design (or generations larger: \`--population\`, an exhaustive search), evaluation dominates, jobs multiply, and 100 workers bring ${num(costly.rate * 100 * te, 0)}x one core's rate (${int(costly.rate)} designs/s against ${int(1 / (100 * te))}), until the coordinator's ${int(1 / c)} designs/s is the limit.`,
  ];
}
