import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { runSearch } from '../src/search/run.js';
import { SqliteRunStore } from '../src/store/sqlite.js';
import { exportJson } from '../src/results/export.js';
import { paretoFront } from '../src/pareto/index.js';
import { finished, integrityCheck, parseCsv, ROOT, runCli, runRows, sleep, spawnCli, type CliResult } from './helpers/cli.js';

/**
 * Readers beside a writer: `front`, `export`, `runs` and `chart` (separate processes) and the
 * library's store (in this process) read a database while `chipdse search` writes a generation
 * every few milliseconds. No read may fail with "database is locked", and every read must be
 * whole: it parses, holds whole generations, and its Pareto set is the non-dominated set of the
 * feasible evaluations it holds. Two searches writing different runs to one new database both
 * finish with the rows each gets alone.
 */

const T = 120_000;
const dir = mkdtempSync(join(tmpdir(), 'chipdse-robust-conc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const POP = 20;
const BUDGET = 1400;
const WRITER = ['search', '--space', 'small', '--workload', 'llama-3-70b-serve', '--workload', 'llama-3-70b-serve-fp4', '--budget', String(BUDGET), '--population', String(POP), '--run', 'w'];

/** Keys of the non-dominated feasible points, from objectives in minimization form. */
function nondominated(points: { key: string; feasible: boolean; objectives: number[] }[]): string[] {
  const feasible = points.filter((p) => p.feasible);
  return paretoFront(feasible.map((p) => p.objectives)).map((i) => feasible[i].key).sort();
}

describe('readers beside a writer', () => {
  test('front, export, runs and chart (processes) and the store (in process) read while a search writes: no lock errors, no torn reads', async () => {
    const db = join(dir, 'shared.db');
    const writer = spawnCli([...WRITER, '--db', db]);
    const writerDone = finished(writer);
    let writing = true;
    void writerDone.then(() => (writing = false));
    const failures: string[] = [];
    const count: Record<string, number> = {};
    /** The evaluation counts the in-process store read while the run was part-written. */
    const moments = new Set<number>();
    const fail = (what: string, r: CliResult | undefined, why: string) => failures.push(`${what}: ${why}${r ? `\nexit ${r.code}\nstderr: ${r.stderr.slice(0, 500)}` : ''}`);
    const hasChart = (await runCli(['--help'])).stdout.includes('chipdse chart');

    /** A CLI read; the run may not exist yet at the very start (exit 1, "no run named"), nothing else may fail. */
    const cli = async (what: string, args: string[]): Promise<string | undefined> => {
      const r = await runCli([...args, '--db', db]);
      if (/locked|busy|internal error/i.test(r.stderr)) fail(what, r, 'lock or internal error');
      else if (r.code !== 0 && /no run named "w"|has no runs/.test(r.stderr)) count.early = (count.early ?? 0) + 1;
      else if (r.code !== 0) fail(what, r, 'failed');
      else {
        count[what] = (count[what] ?? 0) + 1;
        return r.stdout;
      }
      return undefined;
    };

    const checkExport = (text: string, frontBefore: string[] | undefined) => {
      const out = JSON.parse(text) as { evaluations: { seq: number; genome: string; pareto: boolean; feasible: boolean; objectives: Record<string, number> }[]; run: { objectives: { metric: string; goal: string }[] } };
      const rows = out.evaluations;
      if (rows.length % POP !== 0) fail('export json', undefined, `${rows.length} rows: not whole generations`);
      rows.forEach((r, i) => r.seq !== i && fail('export json', undefined, `seq ${r.seq} at ${i}`));
      const asMin = rows.map((r) => ({ key: r.genome, feasible: r.feasible, objectives: out.run.objectives.map((o) => (o.goal === 'max' ? -r.objectives[o.metric] : r.objectives[o.metric])) }));
      const flagged = rows.filter((r) => r.pareto).map((r) => r.genome).sort();
      if (JSON.stringify(flagged) !== JSON.stringify(nondominated(asMin))) fail('export json', undefined, 'pareto flags are not the non-dominated set of the rows exported with them');
      const keys = new Set(rows.map((r) => r.genome));
      const missing = (frontBefore ?? []).filter((k) => !keys.has(k));
      if (missing.length > 0) fail('front then export', undefined, `front genomes ${missing.join(', ')} missing from a later export`);
    };

    const laneA = async () => {
      while (writing) {
        const front = await cli('front', ['front', '--run', 'w', '--json']);
        const frontKeys = front === undefined ? undefined : (JSON.parse(front) as { genome: string; objectives: Record<string, number> }[]).map((p) => {
          for (const v of Object.values(p.objectives)) if (!Number.isFinite(v)) fail('front', undefined, `objective ${v}`);
          return p.genome;
        });
        const ex = await cli('export json', ['export', '--run', 'w', '--format', 'json']);
        if (ex !== undefined) checkExport(ex, frontKeys);
      }
    };
    const laneB = async () => {
      let charted = false;
      while (writing) {
        const csv = await cli('export csv', ['export', '--run', 'w', '--format', 'csv']);
        if (csv !== undefined) {
          const rows = parseCsv(csv);
          const width = rows[0].length;
          if (rows.some((r) => r.length !== width)) fail('export csv', undefined, 'rows of different widths');
          if ((rows.length - 1) % POP !== 0) fail('export csv', undefined, `${rows.length - 1} rows: not whole generations`);
        }
        const runs = await cli('runs', ['runs', '--json']);
        if (runs !== undefined) {
          const w = (JSON.parse(runs) as { name: string; evaluations: number }[]).find((r) => r.name === 'w');
          if (w && w.evaluations % POP !== 0) fail('runs', undefined, `${w.evaluations} evaluations: not whole generations`);
        }
        if (hasChart && !charted && csv !== undefined) {
          charted = true;
          const out = join(dir, 'during.svg');
          await cli('chart', ['chart', '--run', 'w', '--out', out]);
          if (!existsSync(out) || statSync(out).size === 0 || /NaN|Infinity/.test(readFileSync(out, 'utf8'))) fail('chart', undefined, 'no chart, or NaN/Infinity in it');
        }
      }
    };
    const library = async () => {
      while (writing) {
        await sleep(10);
        if (!existsSync(db)) continue;
        let store: SqliteRunStore | undefined;
        try {
          store = new SqliteRunStore(db);
          const run = await store.getRun('w');
          if (!run) continue;
          const points = await store.loadEvaluations(run.id);
          const front = await store.loadFront(run.id);
          const gens = await store.loadGenerationsByGenome(run.id);
          const stats = await store.loadGenerations(run.id);
          const state = await store.loadState(run.id);
          count.library = (count.library ?? 0) + 1;
          if (points.length > 0 && points.length < BUDGET) moments.add(points.length);
          const keys = new Set(points.map((p) => p.key));
          if (front.some((p) => !keys.has(p.key))) fail('store', undefined, 'front holds a design the evaluations read with it do not');
          if (gens.size !== points.length || points.length % POP !== 0) fail('store', undefined, `${points.length} evaluations, ${gens.size} generation tags`);
          const last = stats[stats.length - 1];
          if (points.length > 0 && (last?.evaluations !== points.length || state?.generation !== last.generation)) fail('store', undefined, `statistics (${last?.evaluations}, state ${state?.generation}) from another moment than the evaluations (${points.length})`);
          if (JSON.stringify(front.map((p) => p.key).sort()) !== JSON.stringify(nondominated(points))) fail('store', undefined, 'front is not the non-dominated set of the evaluations');
          JSON.parse(exportJson(run, points, new Set(front.map((p) => p.key)), gens));
        } catch (e) {
          fail('store', undefined, String((e as Error)?.message ?? e));
        } finally {
          await store?.close();
        }
      }
    };

    const [w] = await Promise.all([writerDone, laneA(), laneB(), library()]);
    expect(w.stderr).not.toMatch(/locked|busy|internal error/i);
    expect(w.code).toBe(0);
    expect(failures).toEqual([]);
    // Enough reads happened while the search wrote for this test to mean something.
    expect((count.front ?? 0) + (count['export json'] ?? 0) + (count['export csv'] ?? 0)).toBeGreaterThanOrEqual(2);
    // The store read the run part-written at three moments at least (counted by moments, not reads: under load a reader in this busy process reads less often).
    expect(moments.size).toBeGreaterThanOrEqual(3);
    if (process.env.ROBUST_DEBUG) console.log(count, moments);
    expect(integrityCheck(db)).toBe('ok');
  }, T);

  test('a reader sees one moment: a generation stored after its first read does not show up in its later reads', async () => {
    const db = join(dir, 'snapshot.db');
    await runSearch({ space: 'small', workloads: [], algorithm: 'nsga2', budget: 40, population: 20, seed: 2, workers: 1, db, run: 'r', resume: false });
    const reader = new SqliteRunStore(db);
    const run = (await reader.getRun('r'))!;
    const points = await reader.loadEvaluations(run.id);
    const gensBefore = await reader.loadGenerations(run.id);
    // Another connection stores a generation with one new design that dominates the whole front.
    const writer = new SqliteRunStore(db);
    const best = { ...points[0], key: '9.9.9.9.9', genome: [9, 9, 9, 9, 9], feasible: true, violation: 0, reasons: [], objectives: [-1e12, 0] };
    await writer.saveGeneration(run.id, {
      results: [best], firstSeq: points.length, front: [best.key], reference: run.reference, state: { population: [best.key], nextIndex: 0 }, rngState: { i: 0, j: 0, S: [] },
      stats: { generation: gensBefore.length, evaluations: points.length + 1, feasibleShare: 1, frontSize: 1, hypervolume: 1 },
    });
    await writer.close();
    const front = await reader.loadFront(run.id);
    expect(front.length).toBeGreaterThan(0);
    expect(front.every((p) => points.some((q) => q.key === p.key))).toBe(true);
    expect(await reader.loadGenerations(run.id)).toEqual(gensBefore);
    expect((await reader.loadGenerationsByGenome(run.id)).size).toBe(points.length);
    await reader.close();
    const later = new SqliteRunStore(db);
    expect((await later.loadFront(run.id)).map((p) => p.key)).toEqual([best.key]);
    await later.close();
  });
});

describe('writers beside writers', () => {
  test('two searches writing different runs to one new database at once both finish, each with the rows it gets alone', async () => {
    const a = ['search', '--space', 'small', '--workload', 'llama-3-70b-serve', '--budget', '300', '--population', '20', '--seed', '4', '--run', 'a'];
    const b = ['search', '--space', 'small', '--workload', 'llama-3-70b-serve', '--budget', '300', '--population', '30', '--seed', '5', '--algorithm', 'random', '--run', 'b'];
    const shared = join(dir, 'two-writers.db');
    const [ra, rb] = await Promise.all([runCli([...a, '--db', shared]), runCli([...b, '--db', shared])]);
    for (const r of [ra, rb]) {
      expect(r.stderr).not.toMatch(/locked|busy|internal error|already exists/i);
      expect(r.code).toBe(0);
    }
    const [sa, sb] = await Promise.all([runCli([...a, '--db', join(dir, 'solo-a.db')]), runCli([...b, '--db', join(dir, 'solo-b.db')])]);
    expect([sa.code, sb.code]).toEqual([0, 0]);
    expect(runRows(shared, 'a')).toBe(runRows(join(dir, 'solo-a.db'), 'a'));
    expect(runRows(shared, 'b')).toBe(runRows(join(dir, 'solo-b.db'), 'b'));
    expect(integrityCheck(shared)).toBe('ok');
  }, T);

  test('stores opened at the same moment on a new file (threads released together) all migrate it once, without errors', async () => {
    const script = join(dir, 'open-store.mjs');
    // Each thread loads the store once, then per round waits on a shared flag and opens that round's new file.
    writeFileSync(
      script,
      `import { workerData, parentPort } from 'node:worker_threads';
       const { SqliteRunStore } = await import(${JSON.stringify(join(ROOT, 'dist/store/sqlite.js'))});
       const flag = new Int32Array(workerData.flag);
       parentPort.postMessage('ready');
       for (let round = 1; round <= workerData.rounds; round++) {
         Atomics.wait(flag, 0, round - 1);
         try { await new SqliteRunStore(workerData.base + round + '.db').close(); parentPort.postMessage('ok'); }
         catch (e) { parentPort.postMessage(String(e && e.message)); }
       }`,
    );
    const rounds = 12;
    const flag = new SharedArrayBuffer(4);
    const base = join(dir, 'race-');
    const workers = Array.from({ length: 6 }, () => new Worker(script, { workerData: { flag, rounds, base } }));
    const inbox: string[][] = workers.map(() => []);
    const waiting: (() => void)[] = [];
    workers.forEach((w, i) => w.on('message', (m: string) => {
      inbox[i].push(m);
      waiting.splice(0).forEach((f) => f());
    }));
    const allHave = async (n: number) => {
      while (inbox.some((m) => m.length < n)) await new Promise<void>((r) => waiting.push(r));
    };
    const errors: string[] = [];
    try {
      await allHave(1); // every thread is ready
      for (let round = 1; round <= rounds; round++) {
        Atomics.store(new Int32Array(flag), 0, round);
        Atomics.notify(new Int32Array(flag), 0);
        await allHave(round + 1);
        for (const m of inbox) if (m[round] !== 'ok') errors.push(`round ${round}: ${m[round]}`);
        expect(integrityCheck(`${base}${round}.db`)).toBe('ok');
      }
    } finally {
      await Promise.all(workers.map((w) => w.terminate()));
    }
    expect(errors).toEqual([]);
  }, T);
});
