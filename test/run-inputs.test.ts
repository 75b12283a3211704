import { cpSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downgradeToSchema4 } from './helpers/packed.js';
import { exportCsv } from '../src/results/export.js';
import { changedInputs, storedProblem } from '../src/search/run-inputs.js';
import { runSearch, type SearchOptions } from '../src/search/run.js';
import { MemoryRunStore } from '../src/store/memory.js';
import { openRun } from '../src/store/open.js';
import Database from 'better-sqlite3';
import { ROOT } from './helpers/cli.js';

/**
 * Self-contained runs (issue 15, item 2): a run stores its workloads by content, with the models,
 * trace files and mixed workloads they name, so resuming it evaluates what it started with even
 * when every file it was made from has changed or is gone, and says which files changed.
 */

const dir = mkdtempSync(join(tmpdir(), 'chipdse-run-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A workload folder of its own: a served model given as a Hugging Face config file, a trace-file workload, and a mix of both. */
function inputFiles(at: string): { serve: string; trace: string; mix: string; model: string; traceFile: string } {
  const model = join(at, 'my-model.json');
  cpSync(join(ROOT, 'workloads/models/llama-3-8b.json'), model);
  const traceFile = join(at, 'steps.json');
  cpSync(join(ROOT, 'workloads/traces/gemm-8192-bf16.json'), traceFile);
  const serve = join(at, 'serve.json');
  const shipped = JSON.parse(readFileSync(join(ROOT, 'workloads/llama-3-8b-serve.json'), 'utf8'));
  writeFileSync(serve, JSON.stringify({ ...shipped, $schema: undefined, name: 'my-serve', model: './my-model.json' }));
  const trace = join(at, 'trace.json');
  writeFileSync(trace, JSON.stringify({ name: 'my-trace', trace: 'steps.json' }));
  const mix = join(at, 'mix.json');
  writeFileSync(mix, JSON.stringify({ name: 'my-mix', mix: [{ workload: './serve.json', weight: 0.7 }, { workload: './trace.json', weight: 0.3 }] }));
  return { serve, trace, mix, model, traceFile };
}

async function csvOf(db: string): Promise<string> {
  const { store, run } = await openRun(db, 'r');
  try {
    return exportCsv(run, await store.loadEvaluations(run.id), new Set((await store.loadFront(run.id)).map((p) => p.key)), await store.loadGenerationsByGenome(run.id));
  } finally {
    await store.close();
  }
}

test('a run resumed after its workload, model and trace files changed or vanished evaluates what it stored: the rows of an uninterrupted run, and the changed files named', async () => {
  const files = inputFiles(mkdtempSync(join(dir, 'inputs-')));
  const o: SearchOptions = { space: 'small', workloads: [files.serve, files.mix], algorithm: 'nsga2', budget: 80, population: 20, seed: 3, workers: 1, db: 'memory:inputs-whole', run: 'r', resume: false, now: () => 'T', referenceChips: [] };
  await runSearch(o);
  let generations = 0;
  const stopped = await runSearch({ ...o, db: 'memory:inputs-stopped', shouldStop: () => ++generations >= 2 });
  expect(stopped.status).toBe('stopped');

  // Everything the run was made from changes: a model field, the trace file gone, the mix re-weighted.
  const model = JSON.parse(readFileSync(files.model, 'utf8'));
  writeFileSync(files.model, JSON.stringify({ ...model, num_hidden_layers: model.num_hidden_layers * 2 }));
  unlinkSync(files.traceFile);
  writeFileSync(files.mix, JSON.stringify({ name: 'my-mix', mix: [{ workload: './serve.json', weight: 0.5 }, { workload: './trace.json', weight: 0.5 }] }));

  const { store, run } = await openRun('memory:inputs-stopped', 'r');
  const changed = changedInputs(run);
  await store.close();
  expect(changed).toHaveLength(2);
  expect(changed[0]).toBe(files.serve);
  expect(changed[1]).toMatch(new RegExp(`^${files.mix} \\(now unreadable: .*steps\\.json`));

  const notices: string[] = [];
  const resumed = await runSearch({ ...o, db: 'memory:inputs-stopped', resume: true, onNotice: (l) => notices.push(l) });
  expect(resumed).toMatchObject({ status: 'done', evaluations: 80 });
  expect(notices).toEqual([`run "r": ${changed.join(', ')} changed since the run was created (they, or files they name); resuming with the content stored in the run`]);
  expect(await csvOf('memory:inputs-stopped')).toBe(await csvOf('memory:inputs-whole'));
  MemoryRunStore.drop('inputs-whole');
  MemoryRunStore.drop('inputs-stopped');
}, 120_000);

test('the stored problem needs no file: workloads come back as loaded (frozen), and the space without the workload paths its file named', async () => {
  const files = inputFiles(mkdtempSync(join(dir, 'stored-')));
  await runSearch({ space: 'small', workloads: [files.mix], algorithm: 'random', budget: 8, population: 8, seed: 1, workers: 1, db: 'memory:stored', run: 'r', resume: false, referenceChips: [] });
  const { store, run } = await openRun('memory:stored', 'r');
  await store.close();
  rmSync(files.mix);
  rmSync(files.serve);
  const { space, workloads } = storedProblem(run);
  expect(space.name).toBe('small');
  expect(workloads.map((w) => w.name)).toEqual(['my-mix']);
  expect(workloads[0].mix!.map((m) => [m.workload.name, m.workload.model?.layers ?? m.workload.traceFile?.steps.length])).toEqual([['my-serve', 32], ['my-trace', 1]]);
  expect(Object.isFrozen(workloads[0].mix![0].workload.precision)).toBe(true);
  // Unchanged files are not reported; gone ones are.
  expect(changedInputs(run)).toEqual([expect.stringMatching(new RegExp(`^${files.mix} \\(now unreadable: `))]);
  MemoryRunStore.drop('stored');
}, 60_000);

test('a run stored before runs kept their inputs (schema 2) migrates, and resumes from its workload names as it always did', async () => {
  const db = join(dir, 'schema2.db');
  const o: SearchOptions = { space: 'small', workloads: ['llama-3-8b-serve'], algorithm: 'nsga2', budget: 60, population: 20, seed: 5, workers: 1, db, run: 'r', resume: false, now: () => 'T', referenceChips: [] };
  let generations = 0;
  await runSearch({ ...o, shouldStop: () => ++generations >= 1 });
  const d = new Database(db);
  downgradeToSchema4(d);
  d.exec('DROP TABLE run_writers; ALTER TABLE runs DROP COLUMN inputs_json; ALTER TABLE runs DROP COLUMN writer_pid; ALTER TABLE runs DROP COLUMN writer_host; PRAGMA user_version = 2;');
  d.close();
  const resumed = await runSearch({ ...o, resume: true });
  expect(resumed).toMatchObject({ status: 'done', evaluations: 60 });
  const whole = join(dir, 'schema3.db');
  await runSearch({ ...o, db: whole });
  expect(await csvOf(db)).toBe(await csvOf(whole));
  const { store, run } = await openRun(db, 'r');
  await store.close();
  expect(run.inputs).toBeNull();
  expect(changedInputs(run)).toEqual([]);
}, 60_000);
