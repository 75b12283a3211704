// Shared by the benchmark scripts: paths, the machine, statistics, results files.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { max, median, min, quantile } from 'simple-statistics';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BENCH = join(ROOT, 'bench');
export const RESULTS = join(BENCH, 'results');
/** The build measured: this checkout's dist/, or another build (CHIPDSE_DIST) for a before/after comparison. */
export const DIST = process.env.CHIPDSE_DIST ?? join(ROOT, 'dist');

/** Imports a module of the built library (run `npm run build` first). */
export async function lib(path) {
  const file = join(DIST, path);
  if (!existsSync(file)) throw new Error(`${relative(ROOT, file)} not found: run npm run build first`);
  return import(file);
}

/** SHA-1 of the built library's JavaScript (dist/), to key caches of results on the code that made them. */
export function buildHash() {
  const h = createHash('sha1');
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.js')) h.update(e.name).update(readFileSync(p));
    }
  };
  walk(DIST);
  return h.digest('hex');
}

export function argValue(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : fallback;
}

export const hasFlag = (name) => process.argv.includes(`--${name}`);

/**
 * A --surrogate value as the search's surrogate option: "off" (false), "default" (undefined: the
 * search's DEFAULT_SURROGATE), or settings as name=value joined by ':' (candidates=30:optimism=7).
 */
export const surrogateOption = (s) => (s === 'off' ? false : s === 'default' ? undefined : Object.fromEntries(s.split(':').map((kv) => kv.split('=')).map(([k, v]) => [k, Number(v)])));
export const QUICK = hasFlag('quick');

/** The machine a result was measured on. */
export function machine() {
  let cpuModel = cpus()[0]?.model ?? 'unknown';
  try {
    const m = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    if (m) cpuModel = m[1].trim();
  } catch {
    // not Linux: keep os.cpus()'s model
  }
  let nproc = availableParallelism();
  try {
    nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
  } catch {
    // no nproc binary
  }
  return { nproc, cpuModel, node: process.version, memoryGB: Math.round(totalmem() / 2 ** 30), loadavg: loadavg().map((x) => Number(x.toFixed(2))) };
}

/** CPU ticks (USER_HZ) busy on the whole machine, and used by this process with its threads and waited-for children. */
function cpuTicks() {
  try {
    const all = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal: busy is all but idle and iowait.
    const busy = all[0] + all[1] + all[2] + all[5] + all[6] + all[7];
    const self = readFileSync('/proc/self/stat', 'utf8');
    const f = self.slice(self.lastIndexOf(')') + 2).split(' ').map(Number);
    // Fields 14-17 of /proc/PID/stat (utime stime cutime cstime) are 12-15 after the command name.
    const ours = f[11] + f[12] + f[13] + f[14];
    return { busy, ours, at: performance.now() };
  } catch {
    return undefined;
  }
}

const START_TICKS = cpuTicks();

/**
 * Share of the machine's CPU time that other processes used while this script ran (0: the
 * machine was ours; 0.5 on 2 cores: one core's worth went to others). Timings are only as
 * good as this is small.
 */
export function otherLoad() {
  const end = cpuTicks();
  if (!START_TICKS || !end) return null;
  const hz = 100;
  const capacity = ((end.at - START_TICKS.at) / 1000) * hz * availableParallelism();
  const others = end.busy - START_TICKS.busy - (end.ours - START_TICKS.ours);
  return capacity > 0 ? Number(Math.max(0, others / capacity).toFixed(3)) : null;
}

/** Median and spread of repeated measurements. */
export function summary(xs) {
  if (xs.length === 0) return { n: 0 };
  const r = (x) => Number(x.toPrecision(4));
  return { n: xs.length, median: r(median(xs)), min: r(min(xs)), max: r(max(xs)), q1: r(quantile(xs, 0.25)), q3: r(quantile(xs, 0.75)) };
}

/** Writes bench/results/NAME.json with the command, the machine and the date. */
export function writeResult(name, data) {
  mkdirSync(RESULTS, { recursive: true });
  const command = `node ${relative(ROOT, process.argv[1])}${process.argv.length > 2 ? ' ' + process.argv.slice(2).join(' ') : ''}`;
  const out = { benchmark: name, command, date: new Date().toISOString(), machine: machine(), otherLoad: otherLoad(), quick: QUICK, ...data };
  const file = join(RESULTS, `${name}.json`);
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  return file;
}

export function readResult(name) {
  const file = join(RESULTS, `${name}.json`);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

export function ensureDir(file) {
  mkdirSync(dirname(file), { recursive: true });
  return file;
}

export const log = (...a) => process.stderr.write(a.join(' ') + '\n');

/** A deterministic spread of genomes over a space: index i * a large prime, modulo its size. */
export function sampleIndices(size, count) {
  const n = Math.min(size, count);
  const stride = 7919;
  return Array.from({ length: n }, (_, i) => (i * stride) % size);
}

/** CPU seconds (user + system) of this process since `since` (a process.cpuUsage() value). */
export function cpuSeconds(since) {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1e6;
}
