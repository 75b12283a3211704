import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ChipdseError, ValidationError } from '../src/errors.js';
import { parseDesign, loadDesign, listDesignPresets } from '../src/chip/load.js';
import { parseWorkload, loadWorkload, listWorkloadPresets } from '../src/workload/load.js';

/**
 * Rejection cases: start from a valid design or workload, break one thing, and check the error
 * names the file and the exact field path and says what was expected.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DESIGN_TEXT = readFileSync(join(ROOT, 'designs/h100-sxm.json'), 'utf8');
const WORKLOAD_TEXT = readFileSync(join(ROOT, 'workloads/llama-3-70b-serve.json'), 'utf8');

/* eslint-disable @typescript-eslint/no-explicit-any */
const design = (): any => JSON.parse(DESIGN_TEXT);
const workload = (): any => JSON.parse(WORKLOAD_TEXT);

const DFILE = 'designs/broken.json';
const WFILE = 'workloads/broken.json';

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, but none was thrown');
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Asserts `fn` throws a ValidationError for `file` with a line `file: path: <expected>`. Returns it. */
function expectIssue(fn: () => unknown, file: string, path: string, expected: RegExp): ValidationError {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(ValidationError);
  expect(e).toBeInstanceOf(ChipdseError);
  const v = e as ValidationError;
  expect(v.file).toBe(file);
  expect(v.issues).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(expected) }]));
  const lines = v.message.split('\n');
  expect(lines).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^${escapeRe(`${file}: ${path}: `)}.*${expected.source}`))]));
  return v;
}

/** Asserts `fn` throws a ChipdseError whose (one-line) message matches `expected`. */
function expectChipdseError(fn: () => unknown, expected: RegExp): ChipdseError {
  const e = thrown(fn);
  expect(e).toBeInstanceOf(ChipdseError);
  expect((e as Error).message).toMatch(expected);
  return e as ChipdseError;
}

describe('the valid examples are valid', () => {
  test('h100-sxm.json and llama-3-70b-serve.json parse unchanged', () => {
    expect(parseDesign(design(), DFILE).chip.name).toBe('h100-sxm');
    expect(parseWorkload(workload(), WFILE).name).toBe('llama-3-70b-serve');
  });
});

describe('design rejections', () => {
  test('unknown top-level key lists the allowed keys', () => {
    const d = design();
    d.colour = 'red';
    const v = expectIssue(() => parseDesign(d, DFILE), DFILE, 'colour', /unknown key \(expected one of: .*\bname\b.*\bprocessNode\b.*\bcompute\b.*\bmemory\b.*\binterconnect\b/);
    expect(v.issues).toHaveLength(1);
  });

  test('nested typo memory.hbm.bandwith lists the keys allowed there', () => {
    const d = design();
    d.memory.hbm.bandwith = '3 TB/s';
    const v = expectIssue(() => parseDesign(d, DFILE), DFILE, 'memory.hbm.bandwith', /unknown key \(expected one of: generation, stacks, bytes, bytesPerSec\)/);
    expect(v.issues).toHaveLength(1);
  });

  test('a string for a count is a type error at compute.matrixUnits[0].count', () => {
    const d = design();
    d.compute.matrixUnits[0].count = '528';
    expectIssue(() => parseDesign(d, DFILE), DFILE, 'compute.matrixUnits[0].count', /expected number/);
  });

  test('a negative size is rejected', () => {
    const d = design();
    d.memory.hbm.bytes = -80;
    expectIssue(() => parseDesign(d, DFILE), DFILE, 'memory.hbm.bytes', /expected .*> ?0.*-80/);
  });

  test('a zero size with a unit is rejected', () => {
    const d = design();
    d.memory.sram.bytes = '0 MiB';
    expectIssue(() => parseDesign(d, DFILE), DFILE, 'memory.sram.bytes', /expected .*> ?0.*0 MiB/);
  });

  test('a zero count is rejected', () => {
    const d = design();
    d.memory.hbm.stacks = 0;
    expectIssue(() => parseDesign(d, DFILE), DFILE, 'memory.hbm.stacks', /expected .*> ?0/);
  });

  test('"lots GB" is not a size', () => {
    const d = design();
    d.memory.hbm.bytes = 'lots GB';
    expectIssue(() => parseDesign(d, DFILE), DFILE, 'memory.hbm.bytes', /expected .*bytes.*"80 GB".*lots GB/);
  });

  test('1e30 bytes of SRAM is absurd', () => {
    const d = design();
    d.memory.sram.bytes = 1e30;
    expectIssue(() => parseDesign(d, DFILE), DFILE, 'memory.sram.bytes', /expected at most 1\.0e\+12.*absurd/);
  });

  test('unknown topology "hypercube" lists the topologies', () => {
    const d = design();
    d.interconnect.topology = 'hypercube';
    expectIssue(() => parseDesign(d, DFILE), DFILE, 'interconnect.topology', /expected one of .*ring.*torus3d.*switch/);
  });

  test('unknown processNode lists the nodes', () => {
    const d = design();
    d.processNode = '10nm';
    expectIssue(() => parseDesign(d, DFILE), DFILE, 'processNode', /expected one of .*7nm.*5nm.*3nm/);
  });

  test('torusShape whose product is not chipsPerPod', () => {
    const d = design();
    Object.assign(d.interconnect, { inSwitchReduction: false, topology: 'torus3d', torusShape: [2, 2, 3], chipsPerPod: 8 });
    const v = expectIssue(() => parseDesign(d, DFILE), DFILE, 'interconnect.torusShape', /product 12 must equal chipsPerPod 8/);
    expect(v.issues).toHaveLength(1);
  });

  test('too few links for a torus3d', () => {
    const d = design();
    Object.assign(d.interconnect, { inSwitchReduction: false, topology: 'torus3d', linksPerChip: 4, chipsPerPod: 8 });
    expectIssue(() => parseDesign(d, DFILE), DFILE, 'interconnect.linksPerChip', /torus3d.*at least 6 links.*got 4/);
  });

  test('a torus3d with enough links and a matching shape is accepted (the two rules above are not blanket rejections)', () => {
    const d = design();
    Object.assign(d.interconnect, { inSwitchReduction: false, topology: 'torus3d', torusShape: [2, 2, 2], linksPerChip: 6, chipsPerPod: 8 });
    expect(parseDesign(d, DFILE).chip.interconnect.shape).toEqual([2, 2, 2]);
  });

  test('block scaling without a format of 8 bits or fewer', () => {
    const d = design();
    d.compute.matrixUnits[0].macsPerCycle = { bf16: 512, fp16: 512 };
    d.compute.blockScaling = { blockSizes: [32] };
    expectIssue(() => parseDesign(d, DFILE), DFILE, 'compute.blockScaling', /8 bits or fewer/);
    // With the unit's fp8 formats back, the same block scaling is fine.
    const ok = design();
    ok.compute.blockScaling = { blockSizes: [32] };
    expect(parseDesign(ok, DFILE).chip.blockScaling).toEqual({ blockSizes: [32], scaleBits: 8 });
  });

  test('several problems in one file are all reported, one line each', () => {
    const d = design();
    d.processNode = '10nm';
    d.compute.matrixUnits[0].count = 'many';
    d.memory.hbm.bandwith = 1;
    d.memory.sram.bytes = 1e30;
    const v = expectIssue(() => parseDesign(d, DFILE), DFILE, 'processNode', /expected one of/);
    const lines = v.message.split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(4);
    for (const l of lines) expect(l.startsWith(`${DFILE}: `)).toBe(true);
    expect(v.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['processNode', 'compute.matrixUnits[0].count', 'memory.hbm.bandwith', 'memory.sram.bytes']));
  });

  test('several cross-field problems are all reported', () => {
    const d = design();
    Object.assign(d.interconnect, { inSwitchReduction: false, topology: 'torus3d', torusShape: [2, 2, 3], linksPerChip: 4, chipsPerPod: 8 });
    d.compute.matrixUnits[0].macsPerCycle = { bf16: 512 };
    d.compute.blockScaling = { blockSizes: [32] };
    const v = expectIssue(() => parseDesign(d, DFILE), DFILE, 'interconnect.torusShape', /product 12/);
    expect(v.message.split('\n').length).toBeGreaterThanOrEqual(3);
    expect(v.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['interconnect.torusShape', 'interconnect.linksPerChip', 'compute.blockScaling']));
  });
});

describe('workload rejections', () => {
  test('unknown key in the workload lists the allowed keys', () => {
    const w = workload();
    w.paralelism = { tensor: 8 };
    expectIssue(() => parseWorkload(w, WFILE), WFILE, 'paralelism', /unknown key \(expected one of: .*\bmodel\b.*\bparallelism\b/);
  });

  test('precision format "fp5" is rejected at precision.weights', () => {
    const w = workload();
    w.precision.weights = 'fp5';
    expectIssue(() => parseWorkload(w, WFILE), WFILE, 'precision.weights', /./);
  });

  // BUG: src/io/zod-issues.ts reports a plain string that matches neither branch of the
  // precision union as "Invalid input", without the formats it expected.
  test('precision format "fp5" says which formats were expected', () => {
    const w = workload();
    w.precision.weights = 'fp5';
    expectIssue(() => parseWorkload(w, WFILE), WFILE, 'precision.weights', /expected .*bf16.*fp8/);
  });

  test('precision {format: "fp5"} lists the formats', () => {
    const w = workload();
    w.precision.weights = { format: 'fp5' };
    expectIssue(() => parseWorkload(w, WFILE), WFILE, 'precision.weights.format', /expected one of .*bf16.*fp8/);
  });

  test('unknown model preset names the field and lists the presets', () => {
    const w = workload();
    w.model = 'llama-9';
    expectChipdseError(() => parseWorkload(w, WFILE), /^workloads\/broken\.json: model: unknown model "llama-9": not a preset .*llama-3-70b/);
  });

  test('parallelism product not equal to chips', () => {
    const w = workload();
    w.parallelism = { tensor: 4 };
    expectIssue(() => parseWorkload(w, WFILE), WFILE, 'parallelism', /4 x 1 x 1 x 1 = 4 must equal chips 8/);
  });

  test('tensor parallelism that does not divide the heads', () => {
    const w = workload();
    w.chips = 3;
    w.parallelism = { tensor: 3 };
    expectIssue(() => parseWorkload(w, WFILE), WFILE, 'parallelism.tensor', /3 must divide .*64 attention heads/);
  });

  test('expert parallelism on a dense model', () => {
    const w = workload();
    w.parallelism = { tensor: 8, expert: 2 };
    expectIssue(() => parseWorkload(w, WFILE), WFILE, 'parallelism.expert', /mixture-of-experts/);
  });

  test('mix weights that do not add up to 1', () => {
    const w = { name: 'm', mix: [{ workload: 'llama-3-70b-serve', weight: 0.5 }, { workload: 'llama-3-70b-train', weight: 0.3 }] };
    expectIssue(() => parseWorkload(w, WFILE), WFILE, 'mix', /add up to 1, got 0\.8/);
  });

  test('speculative decoding with phase train', () => {
    const w = workload();
    delete w.slo;
    w.phase = 'train';
    w.speculative = { drafter: 'llama-3.2-1b', draftTokens: 4, acceptanceRate: 0.7 };
    const v = expectIssue(() => parseWorkload(w, WFILE), WFILE, 'speculative', /only for decode or serve, not train/);
    expect(v.issues).toHaveLength(1);
  });

  test('several workload problems are all reported', () => {
    const w = workload();
    w.chips = 3;
    w.parallelism = { tensor: 3 };
    const v = expectIssue(() => parseWorkload(w, WFILE), WFILE, 'parallelism.tensor', /attention heads/);
    expect(v.message.split('\n').length).toBeGreaterThanOrEqual(2);
    expect(v.message).toMatch(/parallelism\.tensor: 3 must divide intermediate_size 28672/);
  });
});

describe('presets and files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'chipdse-schema-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('unknown design preset names it and lists the presets', () => {
    expectChipdseError(() => loadDesign('no-such-chip'), /unknown design "no-such-chip".*h100-sxm/);
  });

  test('unknown workload preset names it and lists the presets', () => {
    expectChipdseError(() => loadWorkload('no-such-workload'), /unknown workload "no-such-workload".*llama-3-70b-serve/);
  });

  test('missing design and workload files', () => {
    const d = join(dir, 'missing-design.json');
    const w = join(dir, 'missing-workload.yaml');
    expectChipdseError(() => loadDesign(d), new RegExp(`^${escapeRe(d)} not found$`));
    expectChipdseError(() => loadWorkload(w), new RegExp(`^${escapeRe(w)} not found$`));
  });

  test('invalid JSON names the file, in one line', () => {
    const f = join(dir, 'bad.json');
    writeFileSync(f, '{"name": "x", "processNode": ');
    const e = expectChipdseError(() => loadDesign(f), new RegExp(`^${escapeRe(f)}: invalid JSON`));
    expect(e.message).not.toContain('\n');
  });

  test('invalid YAML names the file, in one line', () => {
    const f = join(dir, 'bad.yaml');
    writeFileSync(f, 'name: x\ncompute: [1, 2\nmemory:\n  sram: {bytes: 1\n');
    const e = expectChipdseError(() => loadDesign(f), new RegExp(`^${escapeRe(f)}: invalid YAML`));
    expect(e.message).not.toContain('\n');
  });

  test('a design file with a typo names the file path in each line', () => {
    const f = join(dir, 'typo.json');
    const d = design();
    d.memory.hbm.bandwith = '3 TB/s';
    writeFileSync(f, JSON.stringify(d));
    expectIssue(() => loadDesign(f), f, 'memory.hbm.bandwith', /unknown key \(expected one of: generation, stacks, bytes, bytesPerSec\)/);
  });

  test('a workload file with a problem names the file path', () => {
    const f = join(dir, 'w.json');
    const w = workload();
    w.parallelism = { tensor: 4 };
    writeFileSync(f, JSON.stringify(w));
    expectIssue(() => loadWorkload(f), f, 'parallelism', /must equal chips 8/);
  });

  test('all design presets are listed and load', () => {
    const names = listDesignPresets();
    expect(names).toEqual(expect.arrayContaining(['a100-sxm', 'h100-sxm', 'h200-sxm', 'b200', 'mi300x', 'tpu-v4', 'tpu-v5e', 'tpu-v5p', 'tpu-v6e', 'tpu7x']));
    for (const n of names) expect(loadDesign(n).name).toBe(n);
  });

  test('all workload presets are listed and load', () => {
    const names = listWorkloadPresets();
    expect(names).toEqual(expect.arrayContaining(['llama-3-70b-serve', 'llama-3-8b-decode', 'serve-train-mix']));
    for (const n of names) expect(loadWorkload(n).name).toBe(n);
  });

  test('a YAML design equivalent to h100-sxm.json gives the same chip', () => {
    const f = join(dir, 'h100.yaml');
    writeFileSync(
      f,
      [
        'name: h100-sxm',
        'processNode: 5nm',
        'tdpW: 700 W',
        'dies: 1',
        'publishedDieAreaMm2: 814',
        'compute:',
        '  clockHz: 1.83 GHz',
        '  matrixUnits:',
        '    - name: tensor core',
        '      count: 528',
        '      macsPerCycle: { bf16: 512, fp16: 512, fp8_e4m3: 1024, fp8_e5m2: 1024, int8: 1024 }',
        '      tileDim: 128',
        '  cores: 132',
        '  vectorUnit:',
        '    flopsPerCycle: 33792',
        'memory:',
        '  sram:',
        '    bytes: 79.4 MiB',
        '    bytesPerSec: 30.9 TB/s',
        '  hbm:',
        '    generation: hbm3',
        '    stacks: 5',
        '    bytes: 80 GB',
        '    bytesPerSec: 3.35 TB/s',
        '  ecc: true',
        'interconnect:',
        '  topology: switch',
        '  linksPerChip: 18',
        '  linkBytesPerSec: 25 GB/s',
        '  linkLatencySec: 0 us',
        '  chipsPerPod: 8',
        '  inSwitchReduction: true',
        '  scaleOut:',
        '    bytesPerSec: 50 GB/s',
        '    latencySec: 5 us',
        'kernels:',
        '  measured: h100_sxm',
        'technology:',
        '  energy:',
        '    macOverheadFactor: 14.6',
        '',
      ].join('\n'),
    );
    const fromYaml = loadDesign(f);
    const fromJson = loadDesign('h100-sxm');
    expect(fromYaml.peakMacsPerSec).toEqual(fromJson.peakMacsPerSec);
    // 528 tensor cores x 512 bf16 MACs x 1.83 GHz = 494.7 T MAC/s (989 TFLOP/s).
    expect(Math.abs(fromYaml.peakMacsPerSec.bf16! / (528 * 512 * 1.83e9) - 1)).toBeLessThan(1e-12);
    expect(fromYaml).toEqual({ ...fromJson, notes: '' });
  });
});

describe('serving options: bad input names the field', () => {
  test('a token budget of 0, an unknown KV layout, a utilization above 1', () => {
    const w = workload();
    w.serving = { tokenBudget: 0, kvCache: 'blocks', memoryUtilization: 1.2 };
    const v = expectIssue(() => parseWorkload(w, WFILE), WFILE, 'serving.tokenBudget', /./);
    expect(v.issues.map((i) => i.path)).toEqual(expect.arrayContaining(['serving.kvCache', 'serving.memoryUtilization']));
  });

  test('a max context shorter than a request', () => {
    const w = workload();
    w.serving = { maxContextTokens: 1024 };
    expectIssue(() => parseWorkload(w, WFILE), WFILE, 'serving.maxContextTokens', /shorter than a request \(inputTokens \+ outputTokens = 2304\)/);
  });

  test('an arrival rate with a fixed batch, or beside requestsPerClient', () => {
    const w = workload();
    w.batch = 16;
    w.serving = { arrivalRatePerSec: 4, requestsPerClient: 10 };
    const v = expectIssue(() => parseWorkload(w, WFILE), WFILE, 'batch', /must be "auto" with serving.arrivalRatePerSec/);
    expect(v.issues.map((i) => i.path)).toContain('serving.requestsPerClient');
  });

  test('disaggregated serving needs phase serve; a prefill pool\u2019s tensor split must divide the heads', () => {
    const w = workload();
    w.phase = 'decode';
    w.serving = { disaggregated: { prefillParallelism: { tensor: 3 } } };
    expectIssue(() => parseWorkload(w, WFILE), WFILE, 'serving.disaggregated', /needs phase serve/);
    w.phase = 'serve';
    expectIssue(() => parseWorkload(w, WFILE), WFILE, 'serving.disaggregated.prefillParallelism.tensor', /3 must divide the model's 64 attention heads/);
  });

  test('serving options on a training workload', () => {
    const w = JSON.parse(readFileSync(join(ROOT, 'workloads/llama-3-70b-train.json'), 'utf8'));
    w.serving = { tokenBudget: 4096 };
    expectIssue(() => parseWorkload(w, WFILE), WFILE, 'serving', /no meaning for phase train/);
  });

  test('an unknown prefill design is one line naming the field', () => {
    const w = workload();
    w.serving = { disaggregated: { prefillDesign: 'h900' } };
    expectChipdseError(() => parseWorkload(w, WFILE), /^workloads\/broken\.json: serving\.disaggregated\.prefillDesign: unknown design "h900"/);
  });
});
