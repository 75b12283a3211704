import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChipdseError, ValidationError } from '../src/errors.js';
import { parseDesign, loadDesign, listDesignPresets } from '../src/chip/load.js';
import { parseWorkload, loadWorkload, WORKLOADS_DIR } from '../src/workload/load.js';
import { parseSpace, loadSpace, spaceContradictions, SPACES_DIR, designForGenome } from '../src/search/space.js';
import { evaluateGenome } from '../src/search/problem.js';
import { evaluate } from '../src/eval/evaluate.js';
import type { Workload } from '../src/workload/workload.js';
import type { Chip } from '../src/chip/chip.js';
import { makeRng, mutant, truncatedText, type Rng } from './helpers/mutate.js';

/**
 * Fuzz through the library: thousands of seeded mutations of valid design, workload and space
 * files. Each mutant is either accepted or rejected with a ChipdseError whose every line names
 * the file; nothing else may be thrown (no TypeError, RangeError, stack overflow). An accepted
 * design or workload is evaluated, and every metric it gets is finite.
 *
 * FUZZ_SCALE=10 runs ten times as many mutants, FUZZ_SEED=x other ones (for a longer hunt; the
 * default keeps this file to a few seconds).
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);
const SEED = process.env.FUZZ_SEED ?? '';
const N_DESIGNS = Math.round(2000 * SCALE);
const N_WORKLOADS = Math.round(1500 * SCALE);
const N_SPACES = Math.round(800 * SCALE);
const N_TRUNCATED = Math.round(150 * SCALE);

const dir = mkdtempSync(join(tmpdir(), 'chipdse-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const readJson = (p: string) => JSON.parse(readFileSync(join(ROOT, p), 'utf8')) as Record<string, unknown>;

const DESIGN_BASES = listDesignPresets().map((n) => readJson(`designs/${n}.json`));
const WORKLOAD_BASES: Record<string, unknown>[] = [
  'llama-3-8b-serve', 'llama-3-8b-decode', 'llama-3-8b-spec-decode', 'llama-3-70b-train', 'gemm-trace', 'serve-train-mix', 'mixtral-8x7b-serve',
].map((n) => readJson(`workloads/${n}.json`));
// A workload with its model inline, so the Hugging Face fields get mutated too.
WORKLOAD_BASES.push({ ...readJson('workloads/llama-3-8b-serve.json'), name: 'inline-model', model: readJson('workloads/models/llama-3-8b.json') });
WORKLOAD_BASES.push({ ...readJson('workloads/llama-3-8b-serve.json'), name: 'inline-moe', model: readJson('workloads/models/mixtral-8x7b.json'), chips: 2, parallelism: { tensor: 2, expert: 2 } });

const smallSpace = readJson('designs/spaces/small.json');
const SPACE_BASES: Record<string, unknown>[] = [
  smallSpace,
  { ...smallSpace, name: 'inline', base: readJson('designs/tpu-v6e.json') },
  readJson('designs/spaces/inference-chip.json'),
];

/** Fast workloads that accepted designs are evaluated on (round-robin). */
const EVAL_WORKLOADS: Workload[] = ['llama-3-8b-serve', 'llama-3-8b-decode', 'llama-3-70b-train', 'gemm-trace'].map((w) => loadWorkload(w));
const EVAL_DESIGNS: Chip[] = ['h100-sxm', 'tpu-v6e'].map((d) => loadDesign(d));

/** Messages allowed not to name the file being parsed: none any more. */
const KNOWN_UNNAMED: RegExp[] = [];

interface Failure {
  what: string;
  ops: string[];
  error: string;
}

function nonFinite(x: unknown, path: string, out: string[]): void {
  if (typeof x === 'number') {
    if (!Number.isFinite(x)) out.push(`${path} = ${x}`);
  } else if (Array.isArray(x)) {
    x.forEach((v, i) => nonFinite(v, `${path}[${i}]`, out));
  } else if (x !== null && typeof x === 'object') {
    for (const [k, v] of Object.entries(x)) nonFinite(v, `${path}.${k}`, out);
  }
}

/**
 * Runs `fn`; a ChipdseError whose lines all name `file` is a rejection, anything else thrown is a
 * failure. Returns the value, or undefined when rejected or failed.
 */
function attempt<T>(what: string, ops: string[], file: string, failures: Failure[], fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof ChipdseError)) {
      failures.push({ what, ops, error: `${(e as Error)?.constructor?.name}: ${(e as Error)?.message}\n${(e as Error)?.stack?.split('\n').slice(1, 4).join('\n')}` });
      return undefined;
    }
    const lines = e.message.split('\n');
    const bad = lines.find((l) => (!l.includes(file) && !KNOWN_UNNAMED.some((re) => re.test(l))) || l.trim() === '');
    if (bad !== undefined) failures.push({ what, ops, error: `ChipdseError line does not name ${file}: ${JSON.stringify(bad)}` });
    if (/\bundefined\b|\[object Object\]/.test(e.message) && !ops.some((o) => /constructor|__proto__|toString|hasOwnProperty/.test(o))) {
      failures.push({ what, ops, error: `unhelpful message: ${e.message}` });
    }
    return undefined;
  }
}

function checkFinite(what: string, ops: string[], failures: Failure[], x: unknown): void {
  const bad: string[] = [];
  nonFinite(x, 'metrics', bad);
  if (bad.length > 0) failures.push({ what, ops, error: `accepted, but ${bad.slice(0, 5).join(', ')}` });
}

function report(failures: Failure[]): string {
  return failures
    .slice(0, 12)
    .map((f) => `${f.what} [${f.ops.join('; ')}]: ${f.error}`)
    .join('\n\n');
}

function run(kind: string, n: number, body: (rng: Rng, i: number, failures: Failure[]) => void): { failures: Failure[]; accepted: number } {
  const rng = makeRng(`chipdse-fuzz-${kind}${SEED}`);
  const failures: Failure[] = [];
  let accepted = 0;
  for (let i = 0; i < n; i++) {
    const before = failures.length;
    body(rng, i, failures);
    if (failures.length === before) accepted++;
  }
  return { failures, accepted };
}

describe('fuzz: mutated files are accepted or rejected with a ChipdseError, never a crash', () => {
  test(`${N_DESIGNS} design mutants; accepted ones evaluate to finite metrics`, () => {
    let parsed = 0;
    const { failures } = run('design', N_DESIGNS, (rng, i, failures) => {
      const { data, ops } = mutant(DESIGN_BASES[i % DESIGN_BASES.length], rng, 2);
      const file = `fuzz-design-${i}.json`;
      const chip = attempt(`design #${i}`, ops, file, failures, () => parseDesign(data, file).chip);
      if (!chip) return;
      parsed++;
      const w = EVAL_WORKLOADS[i % EVAL_WORKLOADS.length];
      const e = attempt(`design #${i} on ${w.name}`, ops, '', failures, () => evaluate(chip, w));
      if (!e) return;
      // Known, reported (src/chip/cost.ts): a die too large for a wafer costs Infinity. The design
      // is infeasible with its reticle reason; the search stores it without the infinities.
      const tooBigForAWafer = e.reasons.some((r) => /reticle/.test(r)) && e.metrics.costUsd === Infinity;
      checkFinite(`design #${i} on ${w.name}`, ops, failures, tooBigForAWafer ? { ...e.metrics, costUsd: 0, usdPerMTokens: 0 } : e.metrics);
    });
    expect(report(failures)).toBe('');
    // The mutations are not all fatal: some designs still parse and are evaluated.
    expect(parsed).toBeGreaterThan(N_DESIGNS * 0.05);
  }, 60_000);

  test(`${N_WORKLOADS} workload mutants; accepted ones evaluate to finite metrics`, () => {
    let parsed = 0;
    const { failures } = run('workload', N_WORKLOADS, (rng, i, failures) => {
      const { data, ops } = mutant(WORKLOAD_BASES[i % WORKLOAD_BASES.length], rng);
      const file = `fuzz-workload-${i}.json`;
      const w = attempt(`workload #${i}`, ops, file, failures, () => parseWorkload(data, file, WORKLOADS_DIR));
      if (!w) return;
      parsed++;
      const chip = EVAL_DESIGNS[i % EVAL_DESIGNS.length];
      const e = attempt(`workload #${i} on ${chip.name}`, ops, '', failures, () => evaluate(chip, w));
      if (e) checkFinite(`workload #${i} on ${chip.name}`, ops, failures, e.metrics);
    });
    expect(report(failures)).toBe('');
    expect(parsed).toBeGreaterThan(N_WORKLOADS * 0.05);
  }, 60_000);

  test(`${N_SPACES} space mutants; accepted ones give designs that evaluate or are rejected cleanly`, () => {
    const problemWorkloads = [loadWorkload('llama-3-8b-serve')];
    let parsed = 0;
    const { failures } = run('space', N_SPACES, (rng, i, failures) => {
      const { data, ops } = mutant(SPACE_BASES[i % SPACE_BASES.length], rng);
      const file = `fuzz-space-${i}.json`;
      const space = attempt(`space #${i}`, ops, file, failures, () => parseSpace(data, file, SPACES_DIR));
      if (!space) return;
      // What loadSpace adds for a new search; a space with contradictions is still evaluated below (a stored run's may have them).
      attempt(`space #${i} contradictions`, ops, file, failures, () => {
        const issues = spaceContradictions(space);
        if (issues.length > 0) throw new ValidationError(file, issues);
      });
      parsed++;
      const corner = space.parameters.map(() => 0);
      const far = space.parameters.map((p) => p.values.length - 1);
      const random = space.parameters.map((p) => Math.floor(rng() * p.values.length));
      for (const g of [corner, far, random]) {
        attempt(`space #${i} design ${g.join('.')}`, ops, '', failures, () => designForGenome(space, g));
        const r = attempt(`space #${i} genome ${g.join('.')}`, ops, '', failures, () => evaluateGenome({ space, workloads: problemWorkloads }, g));
        if (r) {
          checkFinite(`space #${i} genome ${g.join('.')}`, ops, failures, { objectives: r.objectives, violation: r.violation, metrics: r.metrics });
          if (!r.feasible && r.reasons.length === 0) failures.push({ what: `space #${i} genome ${g.join('.')}`, ops, error: 'infeasible without a reason' });
        }
      }
    });
    expect(report(failures)).toBe('');
    expect(parsed).toBeGreaterThan(N_SPACES * 0.05);
  }, 60_000);

  test(`${N_TRUNCATED} truncated files of each kind are rejected with one line naming the file`, () => {
    const rng = makeRng(`chipdse-fuzz-truncated${SEED}`);
    const failures: Failure[] = [];
    const kinds: { text: string; load: (f: string) => unknown; ext: string }[] = [
      { text: readFileSync(join(ROOT, 'designs/h100-sxm.json'), 'utf8'), load: loadDesign, ext: 'json' },
      { text: readFileSync(join(ROOT, 'workloads/llama-3-70b-serve.json'), 'utf8'), load: loadWorkload, ext: 'json' },
      { text: JSON.stringify({ ...smallSpace, base: join(ROOT, 'designs/tpu-v6e.json') }, null, 2), load: loadSpace, ext: 'json' },
      { text: 'name: y\nprocessNode: 5nm\ncompute:\n  clockHz: 1 GHz\n  matrixUnits: [{count: 4, macsPerCycle: {bf16: 1024}}]\n', load: loadDesign, ext: 'yaml' },
    ];
    kinds.forEach((k, ki) => {
      for (let i = 0; i < N_TRUNCATED; i++) {
        const f = join(dir, `cut-${ki}-${i}.${k.ext}`);
        writeFileSync(f, truncatedText(k.text, rng));
        attempt(`truncated ${f}`, [], f, failures, () => k.load(f));
      }
    });
    expect(report(failures)).toBe('');
  }, 60_000);
});
