import { readFileSync } from 'node:fs';
import { resolveDesignSource, parseDesign, listDesignPresets, loadDesign } from '../src/chip/load.js';
import { evaluate } from '../src/eval/evaluate.js';
import { genomeAt } from '../src/search/algorithms.js';
import { evaluateGenome } from '../src/search/problem.js';
import { designForGenome, loadSpace } from '../src/search/space.js';
import { chipForGenome } from '../src/search/design-template.js';
import { loadWorkload, parseWorkload } from '../src/workload/load.js';
import { metricValue } from '../src/eval/types.js';
import { CONTINUOUS_BATCHING } from '../src/eval/serving.js';
import { ChipContext } from '../src/eval/context.js';
import { placementFor } from '../src/eval/memory.js';

/**
 * The evaluator memoizes what a search asks about again and again (technology tables by frozen
 * design parts, group shapes by content, step lists per frozen workload; compute formats and
 * fabrics for the length of one evaluate call): results must not depend on what was evaluated
 * before, or in which order. That a changed chip or workload copy gives the changed answer is
 * eval-identity.test.ts.
 */
describe('evaluator caches: results do not depend on evaluation order', () => {
  const serve = loadWorkload('llama-3-70b-serve');
  const train = loadWorkload('llama-3-70b-train');
  const presets = listDesignPresets().map((n) => loadDesign(n));

  test('every preset alone, then all interleaved on two workloads, gives identical evaluations', () => {
    const alone = presets.map((c) => JSON.stringify([evaluate(c, serve, { detail: false }), evaluate(c, train, { detail: false })]));
    // Fresh chips of the same designs, evaluated in reverse and interleaved order.
    const again = listDesignPresets().map((n) => loadDesign(n));
    const order = again.map((_, i) => i).reverse();
    const interleaved: string[] = [];
    for (const i of order) interleaved[i] = JSON.stringify([evaluate(again[i], serve, { detail: false }), evaluate(again[i], train, { detail: false })]);
    expect(interleaved).toEqual(alone);
  });

  test('a design with its own technology overrides is not given another design\'s tables', () => {
    const { data } = resolveDesignSource('h100-sxm');
    const plain = parseDesign(structuredClone(data), 'plain').chip;
    const costly = structuredClone(data) as Record<string, unknown>;
    costly.technology = { energy: { sramPjPerByte: 10 }, cost: { waferUsd: 40000 } };
    const c = parseDesign(costly, 'costly').chip;
    expect(c.energy.sramPjPerByte).toBeGreaterThan(plain.energy.sramPjPerByte * 4);
    expect(c.cost.totalUsd).toBeGreaterThan(plain.cost.totalUsd);
    // And the plain design built again after it still gets the plain tables.
    const plainAgain = parseDesign(structuredClone(data), 'plain').chip;
    expect(plainAgain).toEqual(plain);
    const a = evaluate(plain, serve, { detail: false }).metrics;
    const b = evaluate(c, serve, { detail: false }).metrics;
    expect(b.energyBreakdownJ.sram).toBeGreaterThan(a.energyBreakdownJ.sram * 4);
  });

  test('workloads that differ only in precision or parallelism get their own step lists', () => {
    const chip = loadDesign('b200');
    const base = { model: 'llama-3-70b', phase: 'serve', batch: 16, inputTokens: 512, outputTokens: 128, chips: 8, parallelism: { tensor: 8 } };
    const bf16 = parseWorkload({ ...base, name: 'a', precision: { weights: 'bf16', activations: 'bf16', kvCache: 'bf16' } }, 'a');
    const fp8 = parseWorkload({ ...base, name: 'b', precision: { weights: 'fp8_e4m3', activations: 'fp8_e4m3', kvCache: 'fp8_e4m3' } }, 'b');
    const tp4 = parseWorkload({ ...base, name: 'c', chips: 8, parallelism: { tensor: 4, pipeline: 2 }, precision: { weights: 'bf16', activations: 'bf16', kvCache: 'bf16' } }, 'c');
    const ea = evaluate(chip, bf16, { detail: false }).metrics;
    const eb = evaluate(chip, fp8, { detail: false }).metrics;
    const ec = evaluate(chip, tp4, { detail: false }).metrics;
    // Weights and KV cache halve in fp8 (the engine's free share of HBM does not).
    const weightsAndKv = (e: ReturnType<typeof evaluate>) => e.memory!.weightsBytes + e.memory!.kvCacheBytes;
    expect(weightsAndKv(evaluate(chip, fp8, { detail: false }))).toBeLessThan(weightsAndKv(evaluate(chip, bf16, { detail: false })) * 0.6);
    expect(eb.tpotSec).toBeLessThan(ea.tpotSec);
    expect(ec.tpotSec).not.toBe(ea.tpotSec);
    // Evaluated again in another order: the same numbers.
    expect(evaluate(chip, tp4, { detail: false }).metrics).toEqual(ec);
    expect(evaluate(chip, fp8, { detail: false }).metrics).toEqual(eb);
    expect(evaluate(chip, bf16, { detail: false }).metrics).toEqual(ea);
  });

  test('detail on and off give the same totals', () => {
    for (const c of presets) {
      const lean = evaluate(c, serve, { detail: false });
      const full = evaluate(c, serve, { detail: true });
      expect(full.metrics).toEqual(lean.metrics);
    }
  });

  test('a concurrency probe\'s latencies are those of the cycle at that concurrency, in any order', () => {
    const raw = JSON.parse(readFileSync(new URL('../workloads/llama-3-70b-serve.json', import.meta.url), 'utf8')) as Record<string, Record<string, unknown>>;
    // A first burst (a 90th-percentile TTFT of its own) and a decode-only pool too.
    const burst = parseWorkload({ ...raw, serving: { ...raw.serving, requestsPerClient: 4 }, slo: { ttftP90Sec: 3 } }, 'burst');
    const decode = parseWorkload({ ...raw, phase: 'decode' }, 'decode');
    for (const w of [serve, burst, decode, loadWorkload('llama-3-70b-serve-fp4')]) {
      for (const chip of presets.slice(0, 3)) {
        const cx = new ChipContext(chip);
        const cycle = CONTINUOUS_BATCHING.cycles(cx, w);
        // Concurrencies out of order and repeated, past the memory limit (queued clients) too.
        for (const c of [512, 3, 64, 512, 1 << 14, 65, 3]) {
          const placement = placementFor(w, CONTINUOUS_BATCHING.memory(cx, w, c));
          const probe = cycle.latencies!(c, placement);
          const r = cycle(c, placement, false);
          expect(probe).toEqual({ ttftSec: r.ttftSec, tpotSec: r.tpotSec, ttftP90Sec: r.serving!.ttftP90Sec, problem: r.serving!.problem });
        }
      }
    }
  });

  test('chips of a space are the same built in any order, between presets of other technologies and formats', () => {
    // The chip build keeps its last technology tables and its last matrix unit's format names.
    const space = loadSpace('inference-chip');
    const indices = Array.from({ length: 400 }, (_, i) => (i * 7919) % space.size);
    const chipJson = (i: number) => JSON.stringify(chipForGenome(space, genomeAt(space, i), 'f'));
    const forward = indices.map(chipJson);
    const names = listDesignPresets();
    const reversed: string[] = [];
    for (let k = indices.length - 1; k >= 0; k--) {
      loadDesign(names[k % names.length]);
      reversed[k] = chipJson(indices[k]);
    }
    expect(reversed).toEqual(forward);
    for (const k of [0, 1, 2, 399]) expect(forward[k]).toBe(JSON.stringify(parseDesign(designForGenome(space, genomeAt(space, indices[k])), 'f').chip));
    // And the presets the same between the space's chips as alone.
    const alone = names.map((n) => JSON.stringify(loadDesign(n)));
    const between = names.map((n, k) => {
      chipForGenome(space, genomeAt(space, indices[k]), 'f');
      return JSON.stringify(loadDesign(n));
    });
    expect(between).toEqual(alone);
  });

  test('a search objective over one workload is that workload\'s metric exactly', () => {
    const space = loadSpace('small');
    const workloads = space.defaultWorkloads.slice(0, 1).map((w) => loadWorkload(w));
    const problem = { space, workloads };
    for (const i of [0, 17, 555, space.size - 1]) {
      const p = evaluateGenome(problem, genomeAt(space, i));
      if (!p.metrics) continue;
      space.objectives.forEach((o, j) => {
        const v = metricValue(p.metrics![workloads[0].name], o.metric.name);
        expect(p.objectives[j]).toBe(o.goal === 'max' ? -v : v);
      });
    }
  });
});
