import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VERBS } from '../src/commands/index.js';

/** Black-box tests of the built CLI (`dist/` must be built first: `npm test` does). */

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Each spawn takes about half a second; allow for a slow machine. */
const T = 30_000;

function chipdse(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/chipdse.js', ...args], { cwd: ROOT, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every error line is `chipdse: ...`, and there is no stack trace. */
function expectCleanError(stderr: string): string[] {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines.length).toBeGreaterThan(0);
  for (const l of lines) expect(l).toMatch(/^chipdse: /);
  expect(stderr).not.toMatch(/^ {4}at /m);
  return lines;
}

function expectFiniteNumbers(x: unknown, path: string): void {
  if (x === null || x === undefined) throw new Error(`${path} is ${x}`);
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) throw new Error(`${path} = ${x} is not finite`);
  } else if (typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) expectFiniteNumbers(v, `${path}.${k}`);
  }
}

const METRIC_NUMBERS = ['tokensPerSec', 'latencySec', 'ttftSec', 'tpotSec', 'stepTimeSec', 'mfu', 'batch', 'energyJPerToken', 'powerW', 'areaMm2', 'costUsd', 'tokensPerSecPerW', 'usdPerMTokens'];

describe('chipdse eval', () => {
  test('--json prints one evaluation object with finite metrics whose energy breakdown adds up', () => {
    const r = chipdse('eval', '--design', 'h100-sxm', '--workload', 'llama-3-70b-serve', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const e = JSON.parse(r.stdout);
    expect(typeof e).toBe('object');
    expect(Array.isArray(e)).toBe(false);
    expect(typeof e.feasible).toBe('boolean');
    expect(Array.isArray(e.reasons)).toBe(true);
    const m = e.metrics;
    for (const k of METRIC_NUMBERS) {
      expect(typeof m[k]).toBe('number');
      expect(Number.isFinite(m[k])).toBe(true);
    }
    expect(['compute', 'memory', 'interconnect', 'power']).toContain(m.boundBy);
    expect(typeof m.fits).toBe('boolean');
    expect(Object.keys(m.energyBreakdownJ).sort()).toEqual(['compute', 'hbm', 'interconnect', 'sram', 'static']);
    expectFiniteNumbers(m, 'metrics');
    const parts = Object.values(m.energyBreakdownJ as Record<string, number>);
    const sum = parts.reduce((a, b) => a + b, 0);
    expect(m.energyJPerToken).toBeGreaterThan(0);
    expect(Math.abs(sum - m.energyJPerToken) / m.energyJPerToken).toBeLessThan(1e-9);
    expect(m.tokensPerSec).toBeGreaterThan(0);
  }, T);

  test('the text form names the design and workload and shows energy / token', () => {
    const r = chipdse('eval', '--design', 'h100-sxm', '--workload', 'llama-3-70b-serve');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('h100-sxm');
    expect(r.stdout).toContain('llama-3-70b-serve');
    expect(r.stdout).toContain('energy / token');
  }, T);
});

describe('chipdse compare', () => {
  test('--json gives ratios to the first design; H200 decodes faster than H100', () => {
    const r = chipdse('compare', '--designs', 'h100-sxm', 'h200-sxm', 'b200', '--workload', 'llama-3-8b-decode', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.designs).toEqual(['h100-sxm', 'h200-sxm', 'b200']);
    expect(out.workloads).toHaveLength(1);
    const results = out.workloads[0].results;
    expect(results).toHaveLength(3);
    expect(results.map((x: { design: string }) => x.design)).toEqual(['h100-sxm', 'h200-sxm', 'b200']);
    expect(results[0].ratioToFirst.tokensPerSec).toBe(1);
    expect(results[1].metrics.tokensPerSec).toBeGreaterThan(results[0].metrics.tokensPerSec);
    expect(results[1].ratioToFirst.tokensPerSec).toBeCloseTo(results[1].metrics.tokensPerSec / results[0].metrics.tokensPerSec, 9);
    expect(results[1].ratioToFirst.tokensPerSec).toBeGreaterThan(1);
  }, T);

  test('the text form shows (x...) ratios', () => {
    const r = chipdse('compare', '--designs', 'h100-sxm', 'h200-sxm', '--workload', 'llama-3-8b-decode');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('h200-sxm');
    expect(r.stdout).toMatch(/\(x\d+(\.\d+)?\)/);
  }, T);
});

describe('chipdse errors', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'chipdse-cli-'));
  }, T);
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  }, T);

  test('a missing design file: exit 1, one clean line naming the file', () => {
    const f = join(dir, 'missing.json');
    const r = chipdse('eval', '--design', f, '--workload', 'llama-3-70b-serve');
    expect(r.code).toBe(1);
    const lines = expectCleanError(r.stderr);
    expect(lines[0]).toContain(f);
    expect(lines[0]).toMatch(/not found/);
  }, T);

  test('an unknown preset: exit 1, names it and lists the presets', () => {
    const r = chipdse('eval', '--design', 'no-such-chip', '--workload', 'llama-3-70b-serve');
    expect(r.code).toBe(1);
    const lines = expectCleanError(r.stderr);
    expect(lines.join('\n')).toMatch(/no-such-chip/);
    expect(lines.join('\n')).toMatch(/h100-sxm/);
  }, T);

  test('a design file with an unknown key: exit 1, names the file, the field and the allowed keys', () => {
    const f = join(dir, 'typo.json');
    const d = JSON.parse(readFileSync(join(ROOT, 'designs/h100-sxm.json'), 'utf8'));
    d.memory.hbm.bandwith = '3 TB/s';
    writeFileSync(f, JSON.stringify(d));
    const r = chipdse('eval', '--design', f, '--workload', 'llama-3-70b-serve');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const lines = expectCleanError(r.stderr);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^chipdse: ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: memory\\.hbm\\.bandwith: unknown key.*bytesPerSec`)));
  }, T);

  test('an unknown command exits 2', () => {
    const r = chipdse('frobnicate');
    expect(r.code).toBe(2);
    expectCleanError(r.stderr);
  }, T);
});

describe('chipdse presets', () => {
  test('--json lists the design presets', () => {
    const r = chipdse('presets', '--json');
    expect(r.code).toBe(0);
    const p = JSON.parse(r.stdout);
    expect(p.designs).toEqual(expect.arrayContaining(['a100-sxm', 'h100-sxm', 'h200-sxm', 'b200', 'mi300x', 'tpu-v4', 'tpu-v5e', 'tpu-v5p', 'tpu-v6e', 'tpu7x']));
    expect(p.workloads).toEqual(expect.arrayContaining(['llama-3-70b-serve', 'llama-3-8b-decode']));
  }, T);
});

describe('chipdse --help', () => {
  test('lists every verb; the usage error without one names them all, and so does the README', () => {
    expect(VERBS).toEqual(expect.arrayContaining(['eval', 'compare', 'calibrate', 'collective', 'search', 'sweep', 'batch', 'runs', 'front', 'export', 'chart', 'report', 'detail', 'presets']));
    const help = chipdse('--help');
    expect(help.code).toBe(0);
    const none = chipdse();
    expect(none.code).toBe(2);
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    for (const v of VERBS) {
      expect([v, new RegExp(`^  chipdse ${v}\\b`, 'm').test(help.stdout)]).toEqual([v, true]);
      expect([v, new RegExp(`\\b${v}\\b`).test(none.stderr)]).toEqual([v, true]);
      expect([v, readme.includes(`| \`chipdse ${v}`) || readme.includes(`\`chipdse ${v} `)]).toEqual([v, true]);
    }
  }, T);
});

describe('chipdse calibrate', () => {
  /** The measured kernel tables, where the team's checkouts keep them (shared/reference/measured beside the repository). */
  const MEASURED = join(ROOT, '..', 'shared', 'reference', 'measured');
  const haveTables = existsSync(MEASURED);

  test('--json: the end-to-end points, the serving rows and, with the measured tables, the kernel table', () => {
    const r = chipdse('calibrate', '--json');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.rows.length).toBeGreaterThanOrEqual(13);
    expect(c.serving.rows.length).toBeGreaterThan(1000);
    if (!haveTables) {
      expect(c.kernels).toBeNull();
      return;
    }
    // Every class on the GPUs it was measured on, with held-out shapes and a fit that left the GPU out.
    const rows = c.kernels.rows as { cls: string; system: string; heldOutShapes: { count: number; medianAbsError: number }; heldOutGpu: { count: number } }[];
    expect(new Set(rows.map((x) => x.system))).toEqual(new Set(['a100_sxm', 'h100_sxm', 'h200_sxm', 'b200_sxm', 'gb200', 'b300_sxm']));
    for (const cls of ['gemm', 'attention-prefill', 'attention-decode', 'moe', 'elementwise', 'all-reduce', 'all-gather', 'reduce-scatter', 'all-to-all']) expect(rows.some((x) => x.cls === cls)).toBe(true);
    for (const x of rows) {
      expect(x.heldOutShapes.count).toBeGreaterThan(0);
      expect(x.heldOutGpu.count).toBe(x.heldOutShapes.count);
      expect(Number.isFinite(x.heldOutShapes.medianAbsError)).toBe(true);
    }
  }, 180_000);

  test('text: the three tables, the kernel table in brief (one column per GPU) or with --full in full; no footnote about "fit" points', () => {
    const r = chipdse('calibrate', ...(haveTables ? ['--full', '--measured', MEASURED] : []));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^held-out points: 13, median \|error\| /m);
    expect(r.stdout).toContain('serving: measured TTFT and TPOT');
    expect(r.stdout).not.toContain('"fit" points');
    if (haveTables) expect(r.stdout).toMatch(/^class +gpu +variant +held-out shapes: n/m);
    else expect(r.stdout).toMatch(/^kernels: the kernel table needs the measured kernel tables; none at /m);
  }, 180_000);

  test('bad options are one line each: a missing folder, --out without --fit, --fit with --json', () => {
    const missing = chipdse('calibrate', '--measured', join(ROOT, 'no-such-folder'));
    expect(missing.code).toBe(2);
    expect(expectCleanError(missing.stderr)).toEqual([`chipdse: --measured ${join(ROOT, 'no-such-folder')}: no such folder (see chipdse --help)`]);
    const out = chipdse('calibrate', '--out', 'x.json');
    expect(out.code).toBe(2);
    expect(expectCleanError(out.stderr)[0]).toMatch(/--out names the parameter file --fit writes/);
    const json = chipdse('calibrate', '--fit', '--json');
    expect(json.code).toBe(2);
    expect(expectCleanError(json.stderr)[0]).toMatch(/--fit writes the parameter file; it does not go with --full or --json/);
  }, T);

  test('a folder without the tables: one line naming the missing table, and --fit writes nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'chipdse-measured-'));
    try {
      const r = chipdse('calibrate', '--fit', '--measured', dir, '--out', join(dir, 'params.json'));
      expect(r.code).toBe(1);
      // The fit's progress line, then the error.
      const [progress, ...rest] = r.stderr.split('\n');
      expect(progress).toBe('reading a100_sxm ...');
      expect(expectCleanError(rest.join('\n'))).toEqual([`chipdse: ${join(dir, 'a100_sxm.gemm.csv.gz')}: measured table not found (expected NVIDIA AIConfigurator data as in shared/reference/measured/)`]);
      expect(existsSync(join(dir, 'params.json'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, T);
});
