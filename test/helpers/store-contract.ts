import { ChipdseError } from '../../src/errors.js';
import { CLAIM_LEASE_SEC, RunBusyError } from '../../src/store/claims.js';
import type { DesignDetail, ReferenceResult } from '../../src/results/design-detail.js';
import type { Metrics } from '../../src/results/metrics.js';
import { encodePoint, type PointResult } from '../../src/results/point.js';
import type { GenerationStats, RunMeta } from '../../src/results/run.js';
import type { GenerationRecord, RunStore } from '../../src/store/store.js';
import { hostname } from 'node:os';

/**
 * The one test suite of the store contract (src/store/store.ts), run against every
 * implementation. `storage()` gives a fresh, empty storage and a way to open handles on it: two
 * handles on one storage are like two processes on one SQLite file.
 */
export interface StoreFactory {
  storage(): { open: () => Promise<RunStore>; location: string; forgeClaim?: ForgeClaim };
}

/**
 * Writes a run's claim as another process would have left it (a storage shared between processes
 * has one; memory is private to this process and has none): to test dead and live holders.
 */
export type ForgeClaim = (runId: number, claim: { pid: number; host: string; heartbeatAgeSec: number }) => Promise<void>;

/** This process, as the writer it claims a run for. */
const HERE = { pid: process.pid, host: hostname() };

/** A process id no process has (above Linux's largest pid_max, 2^22). */
export const DEAD_PID = 4_194_305;

const metrics = (tokensPerSec: number): Metrics =>
  ({
    tokensPerSec, latencySec: 1, ttftSec: 0.1, tpotSec: 0.01, stepTimeSec: 0, mfu: 0.4, batch: 8, energyJPerToken: 1.5,
    energyBreakdownJ: { compute: 1, sram: 0.1, hbm: 0.2, interconnect: 0.05, static: 0.15 },
    powerW: 400, areaMm2: 800, costUsd: 2000, tokensPerSecPerW: 0.5, usdPerMTokens: 0.1, boundBy: 'compute', fits: true,
    hbmUsedBytes: 1e10, memoryBytesPerChip: 2e10, quantizationSnrDb: 30, interruptionIntervalHours: 1000, goodput: 1, checkpointIntervalSec: 0,
  }) as Metrics;

export const meta = (name: string, over: Partial<RunMeta> = {}): RunMeta => ({
  name, spaceName: 'space', spaceJson: '{"name":"space"}', parameters: [{ name: 'a', categorical: false, values: [1, 2, 4] }, { name: 'f', categorical: true, values: [{ bf16: 1 }, { fp8: 2 }] }],
  workloads: ['w1'], objectives: [{ metric: 'tokensPerSec', goal: 'max' }, { metric: 'costUsd', goal: 'min' }], constraints: ['areaMm2 <= 858'],
  algorithm: 'nsga2', seed: 7, budget: 100, population: 10, reference: null, toolVersion: '9.9.9',
  inputs: { workloads: [{ name: 'w1', inputTokens: 2048, model: { layers: 80, hiddenSize: 8192 } }], sources: { space: '/abs/space.json', workloads: ['/abs/w1.json'] } }, ...over,
});

export function point(key: string, tokensPerSec: number, feasible = true): PointResult {
  return {
    key, genome: key.split('.').map(Number), params: { a: 2, f: { bf16: 1 } }, feasible, violation: feasible ? 0 : 0.5, reasons: feasible ? [] : ['constraint areaMm2 <= 858 violated (areaMm2 = 900)'],
    objectives: [-tokensPerSec, 2000], metrics: { w1: metrics(tokensPerSec) },
  };
}

const invalid: PointResult = { key: '2.1', genome: [2, 1], params: { a: 4, f: { fp8: 2 } }, feasible: false, violation: 1e6, reasons: ['compute: bad'], objectives: [0, 0], metrics: null };

const stats = (generation: number, evaluations: number): GenerationStats => ({ generation, evaluations, feasibleShare: 0.5, frontSize: 1, hypervolume: 10 * (generation + 1) });

function generation(g: number, results: GenerationRecord['results'], firstSeq: number, front: string[], over: Partial<GenerationRecord> = {}): GenerationRecord {
  return { results, firstSeq, stats: stats(g, firstSeq + results.length), front, reference: [0, 5000], state: { population: front, nextIndex: firstSeq + results.length }, rngState: { i: g, j: 2 * g, S: [3, 1, 2] }, ...over };
}

const reference: ReferenceResult = { name: 'h100-sxm', feasible: false, reasons: ['w1: too slow'], metrics: { w1: metrics(1234) } };

const detail = (genome: string, matrix = 0.8): DesignDetail => ({
  genome,
  chip: { name: `space#${genome}`, peakMacsPerSec: { bf16: 1e15 }, vectorFlopsPerSec: 1e13, sramBytesPerSec: 3e13, hbmBytesPerSec: 3e12, dramBytesPerSec: 0, efficiency: { matrix, memory: 0.9 } },
  evaluations: [],
});

export function storeContract(name: string, factory: StoreFactory): void {
  describe(`store contract: ${name}`, () => {
    test('a created run reads back with every setting, status running and no evaluations; runs list in creation order', async () => {
      const { open } = factory.storage();
      const s = await open();
      const id = await s.createRun(meta('a'), '2025-01-01T00:00:00Z');
      const id2 = await s.createRun(meta('b', { algorithm: 'random', reference: [1, 2] }), 'T2');
      expect(id2).not.toBe(id);
      const run = await s.getRun('a');
      expect(run).toEqual({ ...meta('a'), id, status: 'running', writer: null, startedAt: '2025-01-01T00:00:00Z', endedAt: null, evaluations: 0, generations: 0 });
      expect((await s.listRuns()).map((r) => [r.name, r.algorithm, r.reference])).toEqual([['a', 'nsga2', null], ['b', 'random', [1, 2]]]);
      expect(await s.getRun('missing')).toBeUndefined();
      await s.close();
    });

    test('the writer of a run: claimed by the process that starts or resumes it, seen by another handle; a stopped run claimed again is running', async () => {
      const { open } = factory.storage();
      const [a, b] = [await open(), await open()];
      const id = await a.createRun(meta('w'), 'T');
      await a.claimRun(id, { pid: 4242, host: 'node-a' });
      expect((await b.getRun('w'))!.writer).toEqual({ pid: 4242, host: 'node-a' });
      await a.finishRun(id, 'stopped', 'T2');
      expect((await a.getRun('w'))!.status).toBe('stopped');
      await b.claimRun(id, { pid: 99, host: 'node-b' });
      const c = await open();
      expect((await c.getRun('w'))!).toMatchObject({ status: 'running', writer: { pid: 99, host: 'node-b' } });
      await a.close();
      await b.close();
      await c.close();
    });

    test('a name is taken once, even by another handle', async () => {
      const { open } = factory.storage();
      const [a, b] = [await open(), await open()];
      expect(await b.getRun('x')).toBeUndefined();
      await a.createRun(meta('x'), 'T');
      await expect(b.createRun(meta('x'), 'T')).rejects.toThrow(ChipdseError);
      // While its writer lives, the name is refused naming the writer; then, as a run to resume.
      await expect(b.createRun(meta('x'), 'T')).rejects.toThrow(/run "x" is being written by process/);
      await a.close();
      await expect(b.createRun(meta('x'), 'T')).rejects.toThrow(/a run named "x" exists/);
      await b.close();
    });

    test('generations read back whole, in order; the front is replaced; the reference and the search state follow the last generation', async () => {
      const { open } = factory.storage();
      const s = await open();
      const id = await s.createRun(meta('r'), 'T');
      const g0 = [point('0.0', 100), point('0.1', 50, false), invalid];
      await s.saveGeneration(id, generation(0, g0, 0, ['0.0']));
      // A generation may come encoded (from the workers): it reads back the same.
      const g1 = [encodePoint(point('1.0', 300)), point('1.1', 200)];
      await s.saveGeneration(id, generation(1, g1, 3, ['1.0'], { reference: [0, 6000] }));
      expect(await s.loadEvaluations(id)).toEqual([...g0, point('1.0', 300), point('1.1', 200)]);
      expect(await s.loadFront(id)).toEqual([point('1.0', 300)]);
      expect(await s.loadGenerations(id)).toEqual([stats(0, 3), stats(1, 5)]);
      expect(await s.loadGenerationsByGenome(id)).toEqual(new Map([['0.0', 0], ['0.1', 0], ['2.1', 0], ['1.0', 1], ['1.1', 1]]));
      expect(await s.loadState(id)).toEqual({ generation: 1, state: { population: ['1.0'], nextIndex: 5 }, rngState: { i: 1, j: 2, S: [3, 1, 2] } });
      expect(await s.getRun('r')).toMatchObject({ reference: [0, 6000], evaluations: 5, generations: 2, status: 'running' });
      await s.finishRun(id, 'done', 'T-end');
      expect(await s.getRun('r')).toMatchObject({ status: 'done', endedAt: 'T-end' });
      await s.close();
    });

    test('what comes back is a copy: changing it, or the objects stored, changes nothing stored', async () => {
      const { open } = factory.storage();
      const s = await open();
      const id = await s.createRun(meta('r'), 'T');
      const p = point('0.0', 100);
      await s.saveGeneration(id, generation(0, [p], 0, ['0.0']));
      p.metrics!.w1.tokensPerSec = -1;
      const [read] = await s.loadEvaluations(id);
      expect(read.metrics!.w1.tokensPerSec).toBe(100);
      read.params.a = 99;
      expect((await s.loadFront(id))[0].params.a).toBe(2);
      await s.close();
    });

    test('a non-finite number is refused, and nothing of its generation is stored', async () => {
      const { open } = factory.storage();
      const s = await open();
      const id = await s.createRun(meta('r'), 'T');
      await s.saveGeneration(id, generation(0, [point('0.0', 100)], 0, ['0.0']));
      const bad = [point('1.0', 200), { ...point('1.1', 1), objectives: [NaN, 0] }];
      await expect(s.saveGeneration(id, generation(1, bad, 1, ['1.0']))).rejects.toThrow(/non-finite/);
      const inMetrics = [{ ...point('1.2', 1), metrics: { w1: metrics(Infinity) } }];
      await expect(s.saveGeneration(id, generation(1, inMetrics, 1, ['1.2']))).rejects.toThrow(/non-finite/);
      // Every number of a generation: its statistics (a hypervolume overflowed to Infinity) and each design's violation.
      await expect(s.saveGeneration(id, generation(1, [point('1.3', 1)], 1, ['1.3'], { stats: { ...stats(1, 2), hypervolume: Infinity } }))).rejects.toThrow(/non-finite/);
      await expect(s.saveGeneration(id, generation(1, [{ ...point('1.4', 1, false), violation: Infinity }], 1, []))).rejects.toThrow(/non-finite/);
      expect((await s.loadEvaluations(id)).map((p) => p.key)).toEqual(['0.0']);
      expect((await s.loadFront(id)).map((p) => p.key)).toEqual(['0.0']);
      expect(await s.loadGenerations(id)).toEqual([stats(0, 1)]);
      expect((await s.loadState(id))?.generation).toBe(0);
      await expect(s.createRun(meta('n', { reference: [NaN, 1] }), 'T')).rejects.toThrow(/non-finite/);
      expect(await s.getRun('n')).toBeUndefined();
      await s.close();
    });

    test('a design stored twice in a run is refused, and nothing of that generation is stored', async () => {
      const { open } = factory.storage();
      const s = await open();
      const id = await s.createRun(meta('r'), 'T');
      await s.saveGeneration(id, generation(0, [point('0.0', 100)], 0, ['0.0']));
      const twice = s.saveGeneration(id, generation(1, [point('1.0', 5), point('0.0', 100)], 1, ['0.0']));
      await expect(twice).rejects.toThrow(ChipdseError);
      await expect(twice).rejects.toThrow(/design 0\.0 is already stored in run/);
      expect((await s.loadEvaluations(id)).map((p) => p.key)).toEqual(['0.0']);
      expect(await s.loadGenerations(id)).toHaveLength(1);
      await s.close();
    });

    test('a reader sees one moment: what another handle stores after its first read shows up only after its own next write', async () => {
      const { open } = factory.storage();
      const writer = await open();
      const id = await writer.createRun(meta('r'), 'T');
      await writer.saveGeneration(id, generation(0, [point('0.0', 100)], 0, ['0.0']));
      const reader = await open();
      const run = (await reader.getRun('r'))!;
      expect(run.evaluations).toBe(1);
      await writer.saveGeneration(id, generation(1, [point('1.0', 900)], 1, ['1.0']));
      await writer.saveDetails(id, [detail('1.0')]);
      await writer.finishRun(id, 'done', 'T2');
      expect((await reader.loadEvaluations(id)).map((p) => p.key)).toEqual(['0.0']);
      expect((await reader.loadFront(id)).map((p) => p.key)).toEqual(['0.0']);
      expect(await reader.loadGenerations(id)).toHaveLength(1);
      expect((await reader.loadState(id))?.generation).toBe(0);
      expect(await reader.loadDetails(id)).toEqual([]);
      expect(await reader.getRun('r')).toMatchObject({ status: 'running', evaluations: 1 });
      // A write of the reader's own ends its snapshot.
      await reader.createRun(meta('other'), 'T');
      expect((await reader.loadFront(id)).map((p) => p.key)).toEqual(['1.0']);
      expect(await reader.getRun('r')).toMatchObject({ status: 'done', evaluations: 2, generations: 2 });
      await reader.close();
      await writer.close();
    });

    test('reference chips: undefined when none were stored with the run, else as stored (an empty list too)', async () => {
      const { open } = factory.storage();
      const s = await open();
      const none = await s.createRun(meta('none'), 'T');
      const empty = await s.createRun(meta('empty'), 'T', []);
      const some = await s.createRun(meta('some'), 'T', [reference]);
      expect(await s.loadReferences(none)).toBeUndefined();
      expect(await s.loadReferences(empty)).toEqual([]);
      expect(await s.loadReferences(some)).toEqual([reference]);
      await expect(s.createRun(meta('bad'), 'T', [{ ...reference, metrics: { w1: metrics(NaN) } }])).rejects.toThrow(/non-finite/);
      expect(await s.getRun('bad')).toBeUndefined();
      await s.close();
    });

    test('design details: stored per genome, replaced when stored again, refused when not finite', async () => {
      const { open } = factory.storage();
      const s = await open();
      const id = await s.createRun(meta('r'), 'T');
      const other = await s.createRun(meta('o'), 'T');
      await s.saveDetails(id, [detail('1.0'), detail('0.2')]);
      await s.saveDetails(id, [detail('1.0', 0.5)]);
      expect(await s.loadDetails(id)).toEqual([detail('0.2'), detail('1.0', 0.5)]);
      expect(await s.loadDetails(other)).toEqual([]);
      await expect(s.saveDetails(id, [detail('3.0', NaN)])).rejects.toThrow(/non-finite/);
      expect((await s.loadDetails(id)).map((d) => d.genome)).toEqual(['0.2', '1.0']);
      await s.close();
    });

    test('runs are kept apart: one run\'s generations, front and state are not another\'s', async () => {
      const { open } = factory.storage();
      const s = await open();
      const a = await s.createRun(meta('a'), 'T');
      const b = await s.createRun(meta('b'), 'T');
      await s.saveGeneration(a, generation(0, [point('0.0', 100)], 0, ['0.0']));
      await s.saveGeneration(b, generation(0, [point('0.0', 7), point('0.1', 8)], 0, ['0.1']));
      expect((await s.loadFront(a)).map((p) => p.metrics!.w1.tokensPerSec)).toEqual([100]);
      expect((await s.loadFront(b)).map((p) => p.metrics!.w1.tokensPerSec)).toEqual([8]);
      expect((await s.getRun('a'))!.evaluations).toBe(1);
      expect((await s.getRun('b'))!.evaluations).toBe(2);
      await s.close();
    });

    test('a run keeps its inputs by content; a run stored without them reads back null', async () => {
      const { open } = factory.storage();
      const s = await open();
      const withInputs = meta('with');
      await s.createRun(withInputs, 'T');
      await s.createRun({ ...meta('without'), inputs: undefined }, 'T');
      expect((await s.getRun('with'))!.inputs).toEqual(withInputs.inputs);
      expect((await s.getRun('without'))!.inputs).toBeNull();
      await expect(s.createRun(meta('bad', { inputs: { workloads: [{ inputTokens: NaN }], sources: { space: null, workloads: [] } } }), 'T')).rejects.toThrow(/non-finite/);
      await s.close();
    });

    test('one writer per run: the creating handle holds it; another handle is refused, naming the process and host, until it is released', async () => {
      const { open } = factory.storage();
      const [a, b] = [await open(), await open()];
      const id = await a.createRun(meta('r'), 'T');
      const claim = await b.runClaim(id);
      expect(claim).toMatchObject({ pid: process.pid, host: hostname() });
      const busy = b.claimRun(id, HERE);
      await expect(busy).rejects.toThrow(RunBusyError);
      await expect(busy).rejects.toThrow(new RegExp(`run "r" is being written by process ${process.pid} on this host \\(${hostname()}\\)`));
      // Writes of a handle that does not hold the run are refused too, and store nothing.
      await expect(b.saveGeneration(id, generation(0, [point('0.0', 1)], 0, ['0.0']))).rejects.toThrow(RunBusyError);
      await expect(b.finishRun(id, 'done', 'T')).rejects.toThrow(RunBusyError);
      await expect(b.saveDetails(id, [detail('0.0')])).rejects.toThrow(RunBusyError);
      await a.saveGeneration(id, generation(0, [point('0.0', 1)], 0, ['0.0']));
      // The name of a run a live handle writes is refused naming the writer.
      await expect(b.createRun(meta('r'), 'T')).rejects.toThrow(/run "r" is being written by process/);
      await a.releaseRun(id);
      expect(await b.runClaim(id)).toBeUndefined();
      await b.claimRun(id, HERE);
      await b.saveGeneration(id, generation(1, [point('1.0', 2)], 1, ['1.0']));
      await expect(a.claimRun(id, HERE)).rejects.toThrow(RunBusyError);
      // Closing a handle gives up its claims.
      await b.close();
      await a.claimRun(id, HERE);
      await a.finishRun(id, 'done', 'T2');
      expect((await a.loadEvaluations(id)).map((p) => p.key)).toEqual(['0.0', '1.0']);
      await a.close();
    });

    test('a claim left by a dead holder is taken over; a live one on another host is not; a holder whose claim was taken over is refused at its next write', async () => {
      const { open, forgeClaim } = factory.storage();
      if (!forgeClaim) return; // memory is private to this process: no other process can have left a claim in it
      const s = await open();
      const other = await open();
      const id = await s.createRun(meta('r'), 'T');
      await s.releaseRun(id);
      // This host, a process that no longer runs: dead, whatever its heartbeat.
      await forgeClaim(id, { pid: DEAD_PID, host: hostname(), heartbeatAgeSec: 0 });
      await s.claimRun(id, HERE);
      await s.releaseRun(id);
      // Another host, renewed recently: alive.
      await forgeClaim(id, { pid: 77, host: 'elsewhere.example', heartbeatAgeSec: 5 });
      await expect(s.claimRun(id, HERE)).rejects.toThrow(/being written by process 77 on host elsewhere\.example, last heard from 5 s ago/);
      // Another host, silent past the lease: dead.
      await forgeClaim(id, { pid: 77, host: 'elsewhere.example', heartbeatAgeSec: CLAIM_LEASE_SEC + 1 });
      await s.claimRun(id, HERE);
      await s.saveGeneration(id, generation(0, [point('0.0', 1)], 0, ['0.0']));
      // s stalls past its lease; a process on another host takes the run over: s's next write is refused.
      await forgeClaim(id, { pid: 78, host: 'elsewhere.example', heartbeatAgeSec: 0 });
      await expect(s.saveGeneration(id, generation(1, [point('1.0', 1)], 1, ['1.0']))).rejects.toThrow(/run "r" was taken over by process 78 on host elsewhere\.example/);
      expect((await other.loadEvaluations(id)).map((p) => p.key)).toEqual(['0.0']);
      await s.close();
      await other.close();
    });
  });
}
