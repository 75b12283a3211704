// Distributed searches against local ones, side by side, on this machine (issue 16):
//   - evaluations per second of one exhaustive search, as whole processes: local with SQLite,
//     local with PostgreSQL storage, and distributed over 1 and 2 `chipdse worker` processes;
//   - the queue's overhead per job (the same designs in jobs of 1 design and in one job) and per
//     design (distributed over 1 worker at the default job size, against local with PostgreSQL);
//   - the fit T(W) = A + B/W through the 1- and 2-worker times, for the 100-worker projection.
//
//   node bench/distributed.mjs [--quick] [--pg postgresql://USER@HOST:5432/postgres]
//
// The server URL (default: CHIPDSE_BENCH_PG, else CHIPDSE_TEST_PG, else root on 127.0.0.1) must
// allow creating databases; each case gets a database of its own, dropped afterwards.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { QUICK, ROOT, argValue, log, summary, writeResult } from './lib/common.mjs';

const ADMIN = argValue('pg', process.env.CHIPDSE_BENCH_PG ?? process.env.CHIPDSE_TEST_PG ?? 'postgresql://root@127.0.0.1:5432/postgres');
const REPS = QUICK ? 1 : 3;
const SPACE = 'inference-chip';
const WORKLOADS = ['serve-train-mix', 'llama-3-70b-serve'];
const DESIGNS = 12_960;
const POPULATION = 2160;
const SEARCH = ['search', '--space', SPACE, ...WORKLOADS.flatMap((w) => ['--workload', w]), '--algorithm', 'exhaustive', '--budget', String(DESIGNS), '--population', String(POPULATION), '--reference-chips', 'none', '--run', 'b'];
/** The overhead case: the same 512 designs in jobs of 1, and in one job. */
const OVERHEAD_DESIGNS = 512;
const OVERHEAD = ['search', '--space', SPACE, '--workload', 'llama-3-8b-serve', '--algorithm', 'random', '--budget', String(OVERHEAD_DESIGNS), '--population', String(OVERHEAD_DESIGNS), '--reference-chips', 'none', '--run', 'o'];

async function admin(sql) {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    return (await c.query(sql)).rows;
  } finally {
    await c.end();
  }
}

let made = 0;
async function database() {
  const name = `chipdse_bench_${process.pid}_${made++}`;
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(ADMIN);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** Runs chipdse to completion; resolves with its wall seconds. */
function chipdse(args) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [join(ROOT, 'bin/chipdse.js'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.resume();
    child.on('close', (code) => (code === 0 ? resolve((performance.now() - t0) / 1000) : reject(new Error(`chipdse ${args[0]} exited ${code}: ${err.slice(-2000)}`))));
  });
}

/** `n` worker processes, started and ready before the clock starts (workers are long-lived in use). */
async function workers(url, n) {
  const procs = Array.from({ length: n }, () => spawn(process.execPath, [join(ROOT, 'bin/chipdse.js'), 'worker', '--storage', url, '--poll', '0.2'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] }));
  await Promise.all(
    procs.map(
      (p) =>
        new Promise((resolve, reject) => {
          let out = '';
          p.stderr.on('data', (d) => {
            out += d;
            if (out.includes('taking jobs from')) resolve();
          });
          p.on('close', (code) => reject(new Error(`worker exited ${code}: ${out}`)));
        }),
    ),
  );
  return {
    stop: () => Promise.all(procs.map((p) => new Promise((resolve) => (p.exitCode !== null ? resolve() : (p.on('close', resolve), p.kill('SIGTERM')))))),
  };
}

/** What the workers of a database reported: designs, evaluation seconds, jobs. */
async function workerTotals(url) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const [w] = (await c.query('SELECT sum(designs_done)::float8 AS designs, sum(evaluation_sec) AS sec, sum(jobs_done)::float8 AS jobs FROM chipdse.workers')).rows;
    return w;
  } finally {
    await c.end();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'chipdse-bench-dist-'));
const cases = { localSqlite: [], localPg: [], distributed1: [], distributed2: [] };
const reported = { distributed1: [], distributed2: [] };
try {
  for (let rep = 0; rep < REPS; rep++) {
    log(`distributed: repetition ${rep + 1}/${REPS}`);
    cases.localSqlite.push(await chipdse([...SEARCH, '--storage', join(dir, `local-${rep}.db`)]));
    {
      const db = await database();
      cases.localPg.push(await chipdse([...SEARCH, '--storage', db.url]));
      await db.drop();
    }
    for (const n of [1, 2]) {
      const db = await database();
      const w = await workers(db.url, n);
      cases[`distributed${n}`].push(await chipdse([...SEARCH, '--storage', db.url, '--distribute']));
      await w.stop();
      reported[`distributed${n}`].push(await workerTotals(db.url));
      await db.drop();
    }
  }
  // Overhead per job: the same designs, jobs of 1 design and one job of all, one worker.
  const overhead = { perDesignJobs: [], oneJob: [] };
  for (let rep = 0; rep < REPS; rep++) {
    for (const [key, size] of [['perDesignJobs', 1], ['oneJob', OVERHEAD_DESIGNS]]) {
      const db = await database();
      const w = await workers(db.url, 1);
      overhead[key].push(await chipdse([...OVERHEAD, '--storage', db.url, '--distribute', '--job-designs', String(size)]));
      await w.stop();
      await db.drop();
    }
  }
  const median = (xs) => summary(xs).median;
  const rate = (xs) => summary(xs.map((s) => DESIGNS / s));
  const secPerDesign = (rs) => median(rs.map((r) => r.sec / r.designs));
  const jobs = (rs) => median(rs.map((r) => r.jobs));
  const t1 = median(cases.distributed1);
  const t2 = median(cases.distributed2);
  // T(W) = A + B / W through the two measured points.
  const B = 2 * (t1 - t2);
  const A = t1 - B;
  const perJobSec = (median(overhead.perDesignJobs) - median(overhead.oneJob)) / (OVERHEAD_DESIGNS - 1);
  const file = writeResult('distributed', {
    reps: REPS,
    server: (await admin('SHOW server_version'))[0].server_version,
    problem: { space: SPACE, workloads: WORKLOADS, algorithm: 'exhaustive', designs: DESIGNS, population: POPULATION },
    seconds: Object.fromEntries(Object.entries(cases).map(([k, v]) => [k, summary(v)])),
    evaluationsPerSec: Object.fromEntries(Object.entries(cases).map(([k, v]) => [k, rate(v)])),
    workerSecPerDesign: { distributed1: secPerDesign(reported.distributed1), distributed2: secPerDesign(reported.distributed2) },
    jobs: { distributed1: jobs(reported.distributed1), distributed2: jobs(reported.distributed2) },
    overhead: {
      designs: OVERHEAD_DESIGNS,
      workload: 'llama-3-8b-serve',
      perDesignJobsSec: summary(overhead.perDesignJobs),
      oneJobSec: summary(overhead.oneJob),
      perJobSec: Number(perJobSec.toPrecision(3)),
      perDesignSec: Number(((t1 - median(cases.localPg)) / DESIGNS).toPrecision(3)),
    },
    fit: { A: Number(A.toPrecision(4)), B: Number(B.toPrecision(4)), t100: Number((A + B / 100).toPrecision(4)), evaluationsPerSec100: Number((DESIGNS / (A + B / 100)).toPrecision(4)) },
  });
  log(`distributed: wrote ${file}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
