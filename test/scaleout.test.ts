import { loadDesign } from '../src/chip/load.js';
import { parseWorkload } from '../src/workload/load.js';
import { evaluate } from '../src/eval/evaluate.js';
import { goodputOf, reliabilityFigures, CHIP_FIT } from '../src/reliability/reliability.js';
import { collectiveReport } from '../src/commands/collective.js';
import { designWith } from './helpers/designs.js';

const train405 = (over: Record<string, unknown> = {}, training: Record<string, unknown> = {}) =>
  parseWorkload({ model: 'llama-3-405b', phase: 'train', batch: 2048, inputTokens: 8192, chips: 16384, parallelism: { tensor: 8, pipeline: 16, data: 128 }, training: { microBatch: 1, recompute: 'none', sharding: 'optimizer', ...training }, ...over }, 'w');

describe('reliability', () => {
  test('16,384 chips at the Llama 3 interruption rate fail every ~3.1 h (419 interruptions in 54 days, Llama 3 paper)', () => {
    const r = reliabilityFigures({ chips: 16384, chipFit: CHIP_FIT, memoryFitPerMbit: 25000, memoryBytesPerChip: 80e9, ecc: true });
    expect(r.interruptionIntervalHours).toBeCloseTo((54 * 24) / 419, 1);
    expect(r.silentCorruptionsPerDay).toBe(0);
  });

  test('Young/Daly: the interval is sqrt(2 delta M) - delta and goodput falls as interruptions come faster', () => {
    const g = goodputOf(60, 600, 3 * 3600);
    expect(g.checkpointIntervalSec).toBeCloseTo(Math.sqrt(2 * 60 * 3 * 3600) - 60, 9);
    expect(g.goodput).toBeCloseTo(1 - 60 / g.checkpointIntervalSec - (600 + g.checkpointIntervalSec / 2) / (3 * 3600), 12);
    expect(goodputOf(60, 600, 1 * 3600).goodput).toBeLessThan(g.goodput);
    expect(goodputOf(6, 600, 3 * 3600).goodput).toBeGreaterThan(g.goodput);
  });

  test('training reports goodput next to MFU; without ECC memory errors make large-scale training hopeless', () => {
    const w = train405();
    const withEcc = evaluate(loadDesign('h100-sxm'), w).metrics;
    const noEcc = evaluate(designWith('h100-sxm', (d) => { d.memory.ecc = false; }), w).metrics;
    expect(withEcc.goodput).toBeGreaterThan(0.8);
    expect(withEcc.goodput).toBeLessThan(1);
    expect(withEcc.checkpointIntervalSec).toBeGreaterThan(0);
    expect(noEcc.interruptionIntervalHours).toBeLessThan(withEcc.interruptionIntervalHours / 100);
    expect(noEcc.goodput).toBeLessThan(withEcc.goodput);
  });
});

describe('pipelines and data centres', () => {
  test('interleaving virtual stages shrinks the pipeline bubble', () => {
    const chip = loadDesign('h100-sxm');
    const plain = evaluate(chip, train405()).metrics;
    const v4 = evaluate(chip, train405({}, { virtualStages: 4 })).metrics;
    expect(v4.stepTimeSec).toBeLessThan(plain.stepTimeSec);
    expect(v4.mfu).toBeGreaterThan(plain.mfu);
  });

  test('across data centres only bandwidth matters: the step is unchanged while the gradient exchange fits inside it, and grows once it does not', () => {
    const w = parseWorkload({ model: 'llama-3-70b', phase: 'train', batch: 1024, inputTokens: 8192, chips: 1024, parallelism: { tensor: 8, data: 128 }, training: { recompute: 'full', sites: 2 } }, 'w');
    const withLink = (bw: string) => designWith('h100-sxm', (d) => { d.interconnect.crossSite = { bytesPerSec: bw, latencySec: '20 ms' }; });
    const oneSite = evaluate(loadDesign('h100-sxm'), { ...w, training: { ...w.training, sites: 1 } }).metrics.stepTimeSec;
    const fat = evaluate(withLink('10 TB/s'), w).metrics.stepTimeSec;
    const thin = evaluate(withLink('10 GB/s'), w).metrics.stepTimeSec;
    expect(Math.abs(fat / oneSite - 1)).toBeLessThan(0.05);
    expect(thin).toBeGreaterThan(1.5 * fat);
    const none = evaluate(loadDesign('h100-sxm'), w);
    expect(none.feasible).toBe(false);
    expect(none.reasons.join(' ')).toMatch(/crossSite/);
  });
});

describe('context parallelism', () => {
  test('long-context prefill: time and memory per chip fall with the context-parallel degree', () => {
    const chip = loadDesign('tpu-v5p');
    const at = (c: number) => evaluate(chip, parseWorkload({ model: 'llama-3-8b', phase: 'prefill', batch: 1, inputTokens: 131072, chips: c, parallelism: { context: c } }, 'w')).metrics;
    const one = at(1);
    const four = at(4);
    // About a quarter: each chip computes a quarter of the queries (a little below when the quarter fills the units better).
    expect(four.ttftSec / one.ttftSec).toBeGreaterThan(0.22);
    expect(four.ttftSec / one.ttftSec).toBeLessThan(0.3);
    expect(four.memoryBytesPerChip).toBeLessThan(one.memoryBytesPerChip);
  });
});

describe('MoE experts in the DRAM tier', () => {
  test('rarely used experts spill to DRAM first, and are read from there only when routed to', () => {
    const chip = designWith('h200-sxm', (d) => { d.memory.dram = { bytes: '960 GB', bytesPerSec: '400 GB/s' }; });
    const w = parseWorkload({ model: 'deepseek-v3', phase: 'decode', batch: 8, inputTokens: 2048, outputTokens: 64, precision: { weights: 'fp8' }, chips: 4, parallelism: { tensor: 4, expert: 4 } }, 'w');
    const e = evaluate(chip, w);
    expect(e.metrics.fits).toBe(true);
    expect(e.memory!.expertsInDramFraction).toBeGreaterThan(0);
    expect(e.memory!.denseInDramFraction).toBe(0);
    const expertSteps = e.phases[0].steps.filter((s) => s.name.startsWith('moe experts'));
    expect(expertSteps.every((s) => s.dramBytes > 0)).toBe(true);
    expect(e.phases[0].steps.filter((s) => s.name.startsWith('attn')).every((s) => s.dramBytes === 0)).toBe(true);
  });
});

describe('chipdse collective', () => {
  test('reports NCCL-style bus bandwidth: 2 (n-1)/n x algorithm bandwidth for all-reduce', () => {
    const r = collectiveReport(loadDesign('h100-sxm'), 'all-reduce', '1 GB', 8);
    expect(r.busBytesPerSec / r.algorithmBytesPerSec).toBeCloseTo(2 * 7 / 8, 12);
    expect(r.tier).toBe('pod');
    expect(() => collectiveReport(loadDesign('h100-sxm'), 'broadcast', '1 GB', 8)).toThrow(/--op/);
    expect(() => collectiveReport(loadDesign('h100-sxm'), 'all-reduce', 'big', 8)).toThrow(/--bytes/);
  });
});
