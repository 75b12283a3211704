// Distributed searches against local ones, side by side, on this machine (issue 16):
//   - evaluations per second of one exhaustive search, as whole processes: local with SQLite,
//     local with PostgreSQL storage, and distributed over 1 and 2 `chipdse worker` processes;
//   - the queue's overhead per job (the same designs in jobs of 1 design and in one job) and per
//     design (distributed over 1 worker at the default job size, against local with PostgreSQL);
//   - what the 100-worker projection rests on: per design, the workers' evaluation time, the
//     coordinator's CPU and the server's CPU (BENCHMARKS.md shows the arithmetic).
//
//   node bench/distributed.mjs [--quick] [--pg postgresql://USER@HOST:5432/postgres]
//
// The server URL (default: CHIPDSE_BENCH_PG, else CHIPDSE_TEST_PG, else root on 127.0.0.1) must
// allow creating databases; each case gets a database of its own, dropped afterwards.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
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

/** CPU seconds used so far by the PostgreSQL server: every postgres process, with its reaped children (backends that ended). */
function serverCpuSec() {
  let ticks = 0;
  for (const pid of readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
      ticks += f[11] + f[12] + f[13] + f[14];
    } catch {
      // the process ended meanwhile
    }
  }
  return ticks / 100;
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs chipdse to completion: its wall seconds, its own CPU seconds (from /usr/bin/time) and the server's meanwhile. */
function chipdse(args) {
  return new Promise((resolve, reject) => {
    const cpuFile = join(dir, `cpu-${made}-${Date.now()}.txt`);
    const server0 = serverCpuSec();
    const t0 = performance.now();
    const cmd = [process.execPath, join(ROOT, 'bin/chipdse.js'), ...args];
    const child = TIME ? spawn(TIME, ['-f', '%U %S', '-o', cpuFile, ...cmd], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(cmd[0], cmd.slice(1), { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.stdout.resume();
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`chipdse ${args[0]} exited ${code}: ${err.slice(-2000)}`));
      const wall = (performance.now() - t0) / 1000;
      const cpu = TIME ? readFileSync(cpuFile, 'utf8').trim().split('\n').pop().split(' ').map(Number).reduce((a, b) => a + b, 0) : null;
      resolve({ wall, cpu, serverCpu: serverCpuSec() - server0 });
    });
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
/** CPU seconds of the coordinator process and of the server, per case. */
const cpu = { localSqlite: [], localPg: [], distributed1: [], distributed2: [] };
const record = (key, r) => {
  cases[key].push(r.wall);
  cpu[key].push(r);
  return r;
};
const reported = { distributed1: [], distributed2: [] };
try {
  for (let rep = 0; rep < REPS; rep++) {
    log(`distributed: repetition ${rep + 1}/${REPS}`);
    record('localSqlite', await chipdse([...SEARCH, '--storage', join(dir, `local-${rep}.db`)]));
    {
      const db = await database();
      record('localPg', await chipdse([...SEARCH, '--storage', db.url]));
      await db.drop();
    }
    for (const n of [1, 2]) {
      const db = await database();
      const w = await workers(db.url, n);
      record(`distributed${n}`, await chipdse([...SEARCH, '--storage', db.url, '--distribute']));
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
      overhead[key].push((await chipdse([...OVERHEAD, '--storage', db.url, '--distribute', '--job-designs', String(size)])).wall);
      await w.stop();
      await db.drop();
    }
  }
  const median = (xs) => summary(xs).median;
  const rate = (xs) => summary(xs.map((s) => DESIGNS / s));
  const secPerDesign = (rs) => median(rs.map((r) => r.sec / r.designs));
  const jobs = (rs) => median(rs.map((r) => r.jobs));
  const t1 = median(cases.distributed1);
  const perJobSec = (median(overhead.perDesignJobs) - median(overhead.oneJob)) / (OVERHEAD_DESIGNS - 1);
  const file = writeResult('distributed', {
    reps: REPS,
    server: (await admin('SHOW server_version'))[0].server_version,
    problem: { space: SPACE, workloads: WORKLOADS, algorithm: 'exhaustive', designs: DESIGNS, population: POPULATION },
    seconds: Object.fromEntries(Object.entries(cases).map(([k, v]) => [k, summary(v)])),
    coordinatorCpuSec: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, v[0]?.cpu === null ? null : summary(v.map((r) => r.cpu))])),
    serverCpuSec: Object.fromEntries(Object.entries(cpu).map(([k, v]) => [k, summary(v.map((r) => r.serverCpu))])),
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
  });
  log(`distributed: wrote ${file}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
