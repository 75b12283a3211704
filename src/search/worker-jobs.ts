/**
 * What a `chipdse worker` does with one job: evaluate a search job's designs, or a sweep shard,
 * with the same code as a local run, from the problem stored in the database (the worker reads no
 * file), and stage the results. A job of a run made by another chipdse version is refused: its
 * model may score designs differently, and a run must not mix two models.
 */
import type pg from 'pg';
import { ChipdseError } from '../errors.js';
import type { EvaluationJob, SearchJob, SweepJob } from '../queue/jobs.js';
import { stagedKeys, stageResults } from '../queue/staging.js';
import { loadSweep, saveShard } from '../queue/sweeps.js';
import { encodePoint, genomeKey } from '../results/point.js';
import { PG_SCHEMA } from '../store/postgres-schema.js';
import { toRunRow } from '../store/sqlite-rows.js';
import { TOOL_VERSION } from '../version.js';
import { evaluateGenome, type Problem } from './problem.js';
import { storedProblem, storedSpace, storedWorkloads } from './run-inputs.js';
import { FrontKeeper, sweepRange } from './sweep.js';

/** A job this worker will not do, and why (one line). */
export class JobRefused extends ChipdseError {}

export interface JobOutcome {
  /** Designs evaluated here (designs already staged by an earlier try are not evaluated again). */
  designs: number;
  seconds: number;
  /** Why nothing was done (the run finished, the sweep is gone), if so. */
  skipped?: string;
}

const refuseVersion = (what: string, version: string) => new JobRefused(`${what} was made by chipdse ${version} and this worker is chipdse ${TOOL_VERSION}, whose model may score designs differently; start a worker of chipdse ${version} for it`);

/** Problems by run or sweep, so that consecutive jobs of one run read and parse its space once. */
export class ProblemCache {
  private readonly problems = new Map<string, Problem>();

  has(key: string): boolean {
    return this.problems.has(key);
  }

  get(key: string): Problem {
    return this.problems.get(key)!;
  }

  set(key: string, p: Problem): void {
    if (!this.problems.has(key) && this.problems.size >= 8) this.problems.delete(this.problems.keys().next().value!);
    this.problems.set(key, p);
  }
}

async function searchJob(db: pg.Pool, cache: ProblemCache, job: SearchJob): Promise<JobOutcome> {
  const { rows } = await db.query(`SELECT name, tool_version, status, started_at FROM ${PG_SCHEMA}.runs WHERE id = $1`, [job.runId]);
  const r = rows[0];
  if (!r || r.name !== job.runName) return { designs: 0, seconds: 0, skipped: `run "${job.runName}" is not in this database` };
  if (r.tool_version !== TOOL_VERSION) throw refuseVersion(`run "${r.name}"`, r.tool_version);
  if (r.status === 'done') return { designs: 0, seconds: 0, skipped: `run "${r.name}" is finished` };
  const key = `run ${job.runId} ${r.name} ${r.started_at}`;
  const problem = cache.has(key) ? cache.get(key) : storedProblem(toRunRow('run', (await db.query(`SELECT * FROM ${PG_SCHEMA}.runs WHERE id = $1`, [job.runId])).rows[0], { n: 0, g: 0 }));
  cache.set(key, problem);
  const staged = await stagedKeys(db, job.runId, job.genomes.map(genomeKey));
  const todo = job.genomes.filter((g) => !staged.has(genomeKey(g)));
  const t0 = performance.now();
  const results = todo.map((g) => encodePoint(evaluateGenome(problem, g)));
  const seconds = (performance.now() - t0) / 1000;
  await stageResults(db, job.runId, results);
  return { designs: todo.length, seconds };
}

async function sweepJob(db: pg.Pool, cache: ProblemCache, job: SweepJob): Promise<JobOutcome> {
  const sweep = await loadSweep(db, job.sweepId);
  if (!sweep) return { designs: 0, seconds: 0, skipped: `sweep ${job.sweepId} is over` };
  if (sweep.toolVersion !== TOOL_VERSION) throw refuseVersion(`sweep ${job.sweepId}`, sweep.toolVersion);
  const key = `sweep ${job.sweepId}`;
  if (!cache.has(key)) cache.set(key, { space: storedSpace(sweep.spaceJson, `sweep ${job.sweepId} space`), workloads: storedWorkloads(JSON.parse(sweep.workloadsJson)) });
  const problem = cache.get(key);
  const keeper = new FrontKeeper();
  const t0 = performance.now();
  const report = sweepRange(problem, job.from, job.to, keeper);
  const seconds = (performance.now() - t0) / 1000;
  await saveShard(db, job.sweepId, { shard: job.shard, ...report, front: keeper.flush() });
  return { designs: report.evaluated, seconds };
}

export async function doJob(db: pg.Pool, cache: ProblemCache, job: EvaluationJob): Promise<JobOutcome> {
  if (job.toolVersion !== TOOL_VERSION) throw refuseVersion(job.kind === 'search' ? `run "${job.runName}"` : `sweep ${job.sweepId}`, job.toolVersion);
  return job.kind === 'search' ? searchJob(db, cache, job) : sweepJob(db, cache, job);
}
