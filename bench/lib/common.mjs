// Shared by the benchmark scripts: paths, the machine, statistics, results files.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
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

export function argValue(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : fallback;
}

export const hasFlag = (name) => process.argv.includes(`--${name}`);
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
  const out = { benchmark: name, command, date: new Date().toISOString(), machine: machine(), quick: QUICK, ...data };
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
