import { execFileSync } from 'node:child_process';
import { copyFileSync, closeSync, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { APPLICATION_ID, MIGRATIONS } from '../../src/store/sqlite-schema.js';
import { ROOT } from './cli.js';

/**
 * The bad-input cases of issue 15, for test/robust-cli.test.ts: inputs that never end (device
 * files, named pipes, directories, a file too large), duplicate keys and nesting too deep, outputs
 * that would clobber a database, databases that store nothing, foreign and damaged databases,
 * unusable run names, Infinity from a reference point, runs too long to start unasked, and
 * `--resume` or `batch` asked to change a stored run. Same shape as the suite's own cases.
 */
export interface BadCase {
  name: string;
  args: string[];
  names: (string | RegExp)[];
  code?: number;
  lines?: number;
  env?: Record<string, string>;
}

export interface Fixtures {
  dir: string;
  /** The suite's database, holding the finished run "keep" (small, nsga2, budget 40, population 20, seed 3). */
  db: string;
  /** Another program's SQLite file. */
  otherDb: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
const readJson = (p: string): any => JSON.parse(readFileSync(join(ROOT, p), 'utf8'));

/** Where the damaged and foreign databases are. */
function damagedDatabases(dir: string): Record<'foreign' | 'halfMigrated' | 'versionOnly' | 'corrupt' | 'badRunJson' | 'badEvalJson', string> {
  const p = (n: string) => join(dir, n);
  return { foreign: p('foreign-id.db'), halfMigrated: p('half.db'), versionOnly: p('version-only.db'), corrupt: p('corrupt.db'), badRunJson: p('bad-run-json.db'), badEvalJson: p('bad-eval-json.db') };
}

const sqliteOutputs = (dir: string) => ({ svg: join(dir, 'looks-like-a-chart.svg'), reportDir: join(dir, 'report-over-db'), html: join(dir, 'report-over-db', 'index.html') });

/**
 * The databases and files the cases read, made from the suite's database once it holds its run:
 * damaged and foreign databases, and SQLite files where an output would go.
 */
export function makeFixtures(f: Fixtures): void {
  const out = damagedDatabases(f.dir);
  const o = sqliteOutputs(f.dir);
  mkdirSync(o.reportDir, { recursive: true });
  copyFileSync(f.otherDb, o.svg);
  copyFileSync(f.otherDb, o.html);
  // chipdse's application id and schema version, but none of its tables.
  let d = new Database(out.foreign);
  d.pragma(`application_id = ${APPLICATION_ID}`);
  d.pragma('user_version = 2');
  d.exec("CREATE TABLE stuff (x TEXT); INSERT INTO stuff VALUES ('not ours')");
  d.close();
  // Schema 1 with a table of schema 2 already there: the migration cannot run.
  d = new Database(out.halfMigrated);
  d.exec(MIGRATIONS[1]);
  d.exec('CREATE TABLE reference_chips (x)');
  d.pragma(`application_id = ${APPLICATION_ID}`);
  d.pragma('user_version = 1');
  d.close();
  // Marked schema 2, with only schema 1's tables and columns, and a run.
  d = new Database(out.versionOnly);
  d.exec(MIGRATIONS[1]);
  d.exec("INSERT INTO runs (name, space_name, space_json, workloads_json, objectives_json, constraints_json, algorithm, seed, budget, population, tool_version, status, started_at) VALUES ('keep', 's', '{}', '[]', '[]', '[]', 'nsga2', 1, 1, 1, '0.2.0', 'stopped', 'T')");
  d.pragma(`application_id = ${APPLICATION_ID}`);
  d.pragma('user_version = 2');
  d.close();
  // Every page but the first (the header and the table list) overwritten.
  copyFileSync(f.db, out.corrupt);
  const fd = openSync(out.corrupt, 'r+');
  const page = 4096;
  for (let at = page; at < fstatSync(fd).size; at += page) writeSync(fd, Buffer.alloc(page, 0x5a), 0, page, at);
  closeSync(fd);
  copyFileSync(f.db, out.badRunJson);
  d = new Database(out.badRunJson);
  d.exec("UPDATE runs SET workloads_json = '{oops'");
  d.pragma('wal_checkpoint(TRUNCATE)');
  d.close();
  copyFileSync(f.db, out.badEvalJson);
  d = new Database(out.badEvalJson);
  d.exec("UPDATE evaluations SET objectives_json = '[1,'");
  d.pragma('wal_checkpoint(TRUNCATE)');
  d.close();
}

export function issue15Cases(f: Fixtures): BadCase[] {
  const at = (n: string) => join(f.dir, n);
  const file = (n: string, text: string) => {
    writeFileSync(at(n), text);
    return at(n);
  };
  const link = (n: string, target: string) => {
    try {
      lstatSync(at(n));
    } catch {
      symlinkSync(target, at(n));
    }
    return at(n);
  };
  const fifo = (n: string) => {
    if (!existsSync(at(n))) execFileSync('mkfifo', [at(n)]);
    return at(n);
  };
  const folder = (n: string) => {
    mkdirSync(at(n), { recursive: true });
    return at(n);
  };
  const sparse = (n: string, bytes: number) => {
    if (!existsSync(at(n))) {
      writeFileSync(at(n), '');
      truncateSync(at(n), bytes);
    }
    return at(n);
  };
  const w = join(ROOT, 'workloads/llama-3-8b-serve.json');
  const smallSpace = { ...readJson('designs/spaces/small.json'), base: join(ROOT, 'designs/tpu-v6e.json') };
  const spaceWith = (n: string, edit: (s: any) => void) => {
    const s = structuredClone(smallSpace);
    edit(s);
    return file(n, JSON.stringify(s, null, 2));
  };
  const search = (space: string, ...more: string[]) => ['search', '--space', space, '--db', f.db, '--run', 'new', '--budget', '20', '--population', '20', ...more];
  const zero = link('zero.json', '/dev/zero');
  const random = link('random.yaml', '/dev/urandom');
  const pipe = fifo('pipe.json');
  const db = damagedDatabases(f.dir);

  // 5,000 levels of nesting, written as text (JSON.stringify of such a value overflows the stack).
  const deepText = (n: number) => `${'{"a": '.repeat(n)}1${'}'.repeat(n)}`;
  const deepBase = JSON.stringify({ ...smallSpace, base: '@BASE@' }).replace('"@BASE@"', deepText(5000));
  const deepChoice = JSON.stringify(smallSpace).replace('"values":[{', `"values":[${deepText(5000)},{`);
  let blockYaml = 'name: deep\nbase:\n';
  for (let i = 1; i <= 200; i++) blockYaml += `${' '.repeat(i)}a:\n`;
  blockYaml += `${' '.repeat(201)}b: 1\n`;

  const h100 = readFileSync(join(ROOT, 'designs/h100-sxm.json'), 'utf8');
  const dupTop = file('dup-top.json', h100.replace('"processNode": "5nm",', '"processNode": "5nm", "processNode": "7nm",'));
  const dupNested = file('dup-nested.json', h100.replace('"count": 528,', '"count": 528, "count": 1056,'));
  const dupYaml = file('dup.yaml', 'name: y\nprocessNode: 5nm\ncompute:\n  clockHz: 1 GHz\n  clockHz: 2 GHz\n  matrixUnits: [{count: 4, macsPerCycle: {bf16: 1024}}]\n');

  // 10^12 designs: three parameters of 10,000 values each.
  const trillion = spaceWith('trillion.json', (s) => {
    s.parameters = [
      { name: 'mxus', type: 'int', path: 'compute.matrixUnits[0].count', min: 1, max: 10000 },
      { name: 'sramMiB', type: 'int', path: 'memory.sram.bytes', unit: 'MiB', min: 1, max: 10000 },
      { name: 'clockMHz', type: 'int', path: 'compute.clockHz', unit: 'MHz', min: 500, max: 10499 },
    ];
  });
  const infinite = spaceWith('infinite-ref.json', (s) => (s.reference = [-1e308, 1e308]));
  const { svg: sqliteSvg, reportDir, html: sqliteHtml } = sqliteOutputs(f.dir);
  const keep = ['--run', 'keep', '--db', f.db];

  return [
    // 1. inputs that never end
    { name: 'eval: design is a link to /dev/zero', args: ['eval', '-d', zero, '-w', w], names: [zero, 'not a regular file', 'character device'], lines: 1 },
    { name: 'eval: workload is a link to /dev/urandom', args: ['eval', '-d', 'h100-sxm', '-w', random], names: [random, 'character device'], lines: 1 },
    { name: 'eval: design is a named pipe nobody writes to', args: ['eval', '-d', pipe, '-w', w], names: [pipe, 'named pipe'], lines: 1 },
    { name: 'eval: design is a directory', args: ['eval', '-d', folder('a-folder.json'), '-w', w], names: [at('a-folder.json'), 'directory'], lines: 1 },
    { name: 'eval: design is a 3 GiB file', args: ['eval', '-d', sparse('huge.json', 3 * 2 ** 30), '-w', w], names: [at('huge.json'), 'limit', 'CHIPDSE_MAX_FILE_BYTES'], lines: 1 },
    { name: 'eval: a file over a lowered CHIPDSE_MAX_FILE_BYTES', args: ['eval', '-d', join(ROOT, 'designs/h100-sxm.json'), '-w', w], names: ['h100-sxm.json', 'limit'], lines: 1, env: { CHIPDSE_MAX_FILE_BYTES: '1 KiB' } },
    { name: 'eval: a CHIPDSE_MAX_FILE_BYTES that is no size', args: ['eval', '-d', 'h100-sxm', '-w', w], names: ['CHIPDSE_MAX_FILE_BYTES', 'lots'], lines: 1, env: { CHIPDSE_MAX_FILE_BYTES: 'lots' } },
    { name: 'eval: workload whose model is a link to /dev/zero', args: ['eval', '-d', 'h100-sxm', '-w', file('w-zero-model.json', JSON.stringify({ ...readJson('workloads/llama-3-8b-serve.json'), model: zero }))], names: [`${at('w-zero-model.json')}: model: `, 'character device'], lines: 1 },
    { name: 'eval: workload whose trace is a named pipe', args: ['eval', '-d', 'h100-sxm', '-w', file('w-fifo-trace.json', JSON.stringify({ name: 't', trace: pipe }))], names: [`${at('w-fifo-trace.json')}: trace: `, 'named pipe'], lines: 1 },
    { name: 'search: space is a link to /dev/zero', args: search(zero), names: [zero, 'character device'], lines: 1 },
    { name: 'search: space is a named pipe', args: search(pipe), names: [pipe, 'named pipe'], lines: 1 },
    { name: 'search: --workload is a link to /dev/zero', args: search('small', '--workload', zero), names: [zero, 'character device'], lines: 1 },
    { name: 'sweep: space is a named pipe', args: ['sweep', '--space', pipe], names: [pipe, 'named pipe'], lines: 1 },
    { name: 'batch: batch file is a link to /dev/zero', args: ['batch', zero, '--db', f.db], names: [zero, 'character device'], lines: 1 },
    // 14. duplicate keys, in JSON as in YAML
    { name: 'eval: JSON design with a key twice', args: ['eval', '-d', dupTop, '-w', w], names: [`${dupTop}: processNode: duplicate key`], lines: 1 },
    { name: 'eval: JSON design with a key twice inside a list', args: ['eval', '-d', dupNested, '-w', w], names: [`${dupNested}: compute.matrixUnits[0].count: duplicate key`], lines: 1 },
    { name: 'eval: YAML design with a key twice', args: ['eval', '-d', dupYaml, '-w', w], names: [`${dupYaml}: compute.clockHz: duplicate key`], lines: 1 },
    // 9. nesting
    { name: 'search: 5,000 levels in an inline base (JSON)', args: search(file('deep-base.json', deepBase)), names: [at('deep-base.json'), 'nested more than'], lines: 1 },
    { name: 'search: 5,000 levels in an inline base (YAML, flow style)', args: search(file('deep-base.yaml', deepBase)), names: [at('deep-base.yaml'), 'nested more than'], lines: 1 },
    { name: 'search: 200 levels in an inline base (YAML, block style)', args: search(file('deep-block.yaml', blockYaml)), names: [at('deep-block.yaml'), 'nested more than'], lines: 1 },
    { name: 'search: 5,000 levels in a choice value (JSON)', args: search(file('deep-choice.json', deepChoice)), names: [at('deep-choice.json'), 'nested more than'], lines: 1 },
    { name: 'search: 5,000 levels in a choice value (YAML)', args: search(file('deep-choice.yaml', deepChoice)), names: [at('deep-choice.yaml'), 'nested more than'], lines: 1 },
    // 3. outputs that would clobber a database
    { name: 'export: --out is the database itself', args: ['export', ...keep, '--out', f.db], names: [f.db, 'database'], lines: 1 },
    { name: "export: --out is another program's SQLite file", args: ['export', ...keep, '--out', f.otherDb], names: [f.otherDb, 'SQLite'], lines: 1 },
    { name: "sweep: --out is another program's SQLite file", args: ['sweep', '--space', 'small', '--out', f.otherDb], names: [f.otherDb, 'SQLite'], lines: 1 },
    { name: 'chart: --out is a SQLite file named .svg', args: ['chart', ...keep, '--out', sqliteSvg], names: [sqliteSvg, 'SQLite'], lines: 1 },
    { name: 'report: --out holds a SQLite file as index.html', args: ['report', ...keep, '--out', reportDir], names: [sqliteHtml, 'SQLite'], lines: 1 },
    { name: 'compare: --chart is a SQLite file', args: ['compare', '--designs', 'h100-sxm', '-w', w, '--chart', sqliteSvg], names: [sqliteSvg, 'SQLite'], lines: 1 },
    // 4. databases that keep nothing
    { name: "search: --db ''", args: ['search', '--space', 'small', '--db', '', '--budget', '20'], names: ['--db', 'would not be kept'], lines: 1, code: 2 },
    { name: 'search: --db :memory:', args: ['search', '--space', 'small', '--db', ':memory:', '--budget', '20'], names: ['--db', ':memory:', 'would not be kept'], lines: 1, code: 2 },
    { name: 'search: --db memory:', args: ['search', '--space', 'small', '--db', 'memory:', '--budget', '20'], names: ['--db', 'would not be kept'], lines: 1, code: 2 },
    { name: "runs: --db ''", args: ['runs', '--db', ''], names: ['--db'], lines: 1, code: 2 },
    { name: 'batch: "db": ":memory:" in the file', args: ['batch', file('b-memory.json', JSON.stringify({ db: ':memory:', searches: [{ run: 'm', space: 'small', budget: 20 }] }))], names: [`${at('b-memory.json')}: db: `, 'would not be kept'], lines: 1 },
    // 7. foreign and damaged databases
    ...(['runs', 'front', 'export', 'search'] as const).flatMap((verb) =>
      Object.entries(db).map(([kind, file]): BadCase => {
        const args = verb === 'runs' ? ['runs', '--db', file] : verb === 'search' ? ['search', '--run', 'keep', '--resume', '--db', file] : [verb, '--run', 'keep', '--db', file];
        return { name: `${verb}: a ${kind} database`, args, names: [file], lines: 1 };
      }),
    ).filter((c) => !c.name.startsWith('runs: a badEvalJson')),
    { name: 'chart: a corrupt database', args: ['chart', '--run', 'keep', '--db', db.corrupt, '--out', at('c.svg')], names: [db.corrupt], lines: 1 },
    { name: 'search: a new run into a database with chipdse\'s id and other tables', args: ['search', '--space', 'small', '--db', db.foreign, '--budget', '20'], names: [db.foreign], lines: 1 },
    // 10. Infinity
    { name: 'search: a reference so far out the hypervolume overflows', args: search(infinite), names: [`${infinite}: reference: `], lines: 1 },
    { name: 'sweep: a reference so far out the hypervolume overflows', args: ['sweep', '--space', infinite], names: [`${infinite}: reference: `], lines: 1 },
    // 11. runs too long to start unasked
    { name: 'sweep: 10^12 designs', args: ['sweep', '--space', trillion], names: [trillion, /\d designs\/s/, '--allow-long'], lines: 1 },
    { name: 'search: exhaustive over 10^12 designs', args: ['search', '--space', trillion, '--db', f.db, '--run', 'new', '--algorithm', 'exhaustive', '--budget', '1000000000000'], names: [trillion, '--allow-long'], lines: 1 },
    // 12. --resume and batch asked to change a stored run
    { name: 'search: --resume with another --budget', args: ['search', ...keep, '--resume', '--budget', '500'], names: ['--budget 500', 'stored 40'], lines: 1 },
    { name: 'search: --resume with another --seed and --algorithm', args: ['search', ...keep, '--resume', '--seed', '4', '--algorithm', 'random'], names: ['--seed 4', '--algorithm random', 'stored 3', 'nsga2'], lines: 1 },
    { name: 'search: --resume with another --space', args: ['search', ...keep, '--resume', '--space', 'inference-chip'], names: ['--space inference-chip'], lines: 1 },
    { name: 'batch: the entry of a finished run changed', args: ['batch', file('b-changed.json', JSON.stringify({ searches: [{ run: 'keep', space: 'small', budget: 50, population: 20, seed: 3 }] })), '--db', f.db], names: [at('b-changed.json'), 'searches[0]', 'keep', 'budget'], lines: 1 },
    // 13. run names
    { name: "search: --run ''", args: ['search', '--space', 'small', '--db', f.db, '--run', ''], names: ['--run'], lines: 1, code: 2 },
    { name: 'search: --run with a newline', args: ['search', '--space', 'small', '--db', f.db, '--run', 'a\nb'], names: ['--run', 'control character'], lines: 1, code: 2 },
    { name: 'search: --run with an escape character', args: ['search', '--space', 'small', '--db', f.db, '--run', 'a\u001b[2Jb'], names: ['--run', 'control character'], lines: 1, code: 2 },
    { name: 'batch: a run name with a newline', args: ['batch', file('b-newline.json', JSON.stringify({ searches: [{ run: 'x\ny', space: 'small', budget: 20 }] })), '--db', f.db], names: [`${at('b-newline.json')}: searches[0].run: `], lines: 1 },
  ];
}
