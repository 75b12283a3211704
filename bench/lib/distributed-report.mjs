// The distributed section of BENCHMARKS.md, from bench/results/distributed.json (bench/distributed.mjs).
import { MAX_OVERHEAD_SHARE, QUEUE_OVERHEAD_SEC_PER_JOB } from '../../dist/search/job-size.js';

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
  // The projection: T(W) = S + N (t + o / J) / W, from the 1-worker run.
  const te = d.workerSecPerDesign.distributed1;
  const o = d.overhead.perJobSec;
  const E = N * te;
  const S = t1 - E;
  const J = P / 100;
  const T = (t, W) => S + (N * (t + o / J)) / W;
  /** One worker with the default job size (jobs of a generation or so: their overhead is negligible). */
  const T1 = (t) => S + N * t;
  const sv = d.serverCpuSec.distributed1.median / N;
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
    `"Coordinator CPU" is the \`chipdse search\` process's user + system time (\`/usr/bin/time\`); "server CPU" the PostgreSQL processes' meanwhile (from /proc, ended backends included); "worker ms per design" the workers' own timing of their evaluations (\`chipdse workers\` shows it too). The second worker brought ${num(t1 / s.distributed2.median, 2)}x: the coordinator, two workers and the server had ${d.machine.nproc} cores, of which other sessions used ${Math.round(d.otherLoad * 100)}% meanwhile, so it had no core of its own (its ms per design doubled).`,
    `**Queue overhead.** Per job: the same ${int(d.overhead.designs)} designs (${d.overhead.workload}) distributed over 1 worker in jobs of 1 design took ${spread(d.overhead.perDesignJobsSec, (x) => num(x, 2))} s, in one job ${spread(d.overhead.oneJobSec, (x) => num(x, 2))} s: the difference over the ${int(d.overhead.designs - 1)} extra jobs is **${ms(o)} ms per job** (a worker's fetch, staging and completion, the coordinator's wake-up, pg-boss's bookkeeping). Per design, at the default job size: (distributed over 1 worker - local with PostgreSQL storage) / ${int(N)} designs = (${num(t1, 2)} - ${num(s.localPg.median, 2)}) s / ${int(N)} = **${ms(d.overhead.perDesignSec)} ms per design** (a design's result is written to staging and read back besides being stored). \`src/search/job-size.ts\` plans with ${ms(QUEUE_OVERHEAD_SEC_PER_JOB)} ms per job.`,
    `**Projection to 100 workers.** From the 1-worker run: N = ${int(N)} designs took T1 = ${num(t1, 2)} s, of which the worker evaluated for N x t = ${int(N)} x ${ms(te)} ms = ${num(E, 2)} s; the rest, S = T1 - N t = ${num(S, 2)} s (${ms(S / N)} ms a design), is what more workers do not shorten: the coordinator proposing, taking results out of staging and storing them, and the waits between. With W workers each taking jobs of J designs, T(W) = S + N (t + o / J) / W. For 100 workers a generation of ${int(P)} must be cut into 100 jobs of J = ${num(J, 1)} designs (\`--job-designs ${Math.ceil(J)}\`; the default sizing would make ${int(Math.max(1, Math.floor((P * te * MAX_OVERHEAD_SHARE) / o)))} job(s) of it, as each must hold o / (${MAX_OVERHEAD_SHARE} t) = ${int(o / (MAX_OVERHEAD_SHARE * te))} designs):`,
    table(
      ['model', 't (ms per design)', '1 worker: S + N t, s', '100 workers: S + N (t + o/J) / 100, s', 'evaluations/s at 100 workers', 'gain over 1 worker'],
      [
        ['today', ms(te), num(T1(te), 2), `${num(S, 2)} + ${int(N)} x (${ms(te)} + ${ms(o)} / ${num(J, 1)}) ms / 100 = ${num(T(te, 100), 2)}`, int(N / T(te, 100)), `${num(T1(te) / T(te, 100), 2)}x`],
        ['100 times costlier per design', ms(100 * te), num(T1(100 * te), 1), `${num(S, 2)} + ${int(N)} x (${ms(100 * te)} + ${ms(o)} / ${num(J, 1)}) ms / 100 = ${num(T(100 * te, 100), 2)}`, int(N / T(100 * te, 100)), `${num(T1(100 * te) / T(100 * te, 100), 1)}x`],
      ],
    ),
    `So with today's model distribution hardly pays: evaluation is ${num((100 * E) / t1, 0)}% of a distributed run here, 100 workers would bring the run to ${int(N / T(te, 100))} designs/s against ${int(e.localSqlite.median)} for the local run (${num(N / T(te, 100) / e.localSqlite.median, 2)}x), and no number of workers brings it above N / S = ${int(N / S)}. It pays as the model gets costlier per design: a 100 times costlier one gains ${num(T1(100 * te) / T(100 * te, 100), 0)}x at 100 workers, and S bounds that too. The server carries ${ms(sv)} ms of CPU a design (its processes' CPU in the 1-worker run / N), ${num(sv * (N / T(100 * te, 100)), 2)} cores at the costlier model's 100-worker rate. S, t and o were measured on a shared machine (other processes used ${Math.round(d.otherLoad * 100)}% of its CPU during these runs), which inflates all three.`,
  ];
}
