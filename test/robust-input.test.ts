import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChipdseError } from '../src/errors.js';
import { loadDesign, parseDesign } from '../src/chip/load.js';
import { readDataFile } from '../src/io/load.js';
import { MAX_NESTING } from '../src/io/parse-text.js';
import { parseSpace } from '../src/search/space.js';
import { parseWorkload } from '../src/workload/load.js';
import { ROOT } from './helpers/cli.js';

/**
 * Data files read alike, whatever their format (issue 15, items 1, 9, 14): a byte order mark is
 * accepted in JSON as in YAML, a key given twice is refused in both (with its path), nesting has
 * one limit for files and for data a program passes in, and the size limit can be raised.
 * The command-line cases (devices, pipes, duplicate keys, deep files) are in the bad-input suite.
 */

const dir = mkdtempSync(join(tmpdir(), 'chipdse-robust-in-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string | Buffer) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};
const h100 = readFileSync(join(ROOT, 'designs/h100-sxm.json'), 'utf8');
const messageOf = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    if (!(e instanceof ChipdseError)) throw e;
    return e.message;
  }
  throw new Error('expected a ChipdseError');
};

describe('a byte order mark', () => {
  test('is accepted in JSON as in YAML, and changes nothing', () => {
    const plain = loadDesign(join(ROOT, 'designs/h100-sxm.json'));
    expect(loadDesign(write('bom.json', `\uFEFF${h100}`))).toEqual(plain);
    const yaml = 'name: y\nprocessNode: 5nm\ncompute:\n  clockHz: 1 GHz\n  matrixUnits: [{count: 4, macsPerCycle: {bf16: 1024}}]\nmemory:\n  sram: {bytes: 64 MiB, bytesPerSec: 10 TB/s}\n  hbm: {generation: hbm3, stacks: 1, bytes: 16 GB, bytesPerSec: 0.8 TB/s}\ninterconnect: {topology: switch, linksPerChip: 1, linkBytesPerSec: 50 GB/s, linkLatencySec: 1 us, chipsPerPod: 8}\n';
    expect(readDataFile(write('bom.yaml', `\uFEFF${yaml}`))).toEqual(readDataFile(write('plain.yaml', yaml)));
  });
});

describe('a key given twice', () => {
  test('JSON and YAML both refuse it, naming the key path', () => {
    const json = write('dup.json', '{"a": {"b": [1, {"c": 1, "c": 2}]}}');
    const yaml = write('dup.yaml', 'a:\n  b:\n    - 1\n    - {c: 1, c: 2}\n');
    expect(messageOf(() => readDataFile(json))).toBe(`${json}: a.b[1].c: duplicate key (given twice in one object)`);
    expect(messageOf(() => readDataFile(yaml))).toBe(`${yaml}: a.b[1].c: duplicate key (given twice in one object)`);
  });

  test('escapes are read as the key they spell ("\\u0061" is "a"); the same key in two objects is fine', () => {
    const f = write('escaped.json', '{"a": 1, "\\u0061": 2}');
    expect(messageOf(() => readDataFile(f))).toBe(`${f}: a: duplicate key (given twice in one object)`);
    expect(readDataFile(write('two.json', '[{"a": 1}, {"a": 2}, {"x": {"a": 3}, "a": 4}]'))).toEqual([{ a: 1 }, { a: 2 }, { x: { a: 3 }, a: 4 }]);
  });
});

describe('nesting', () => {
  const nested = (n: number): unknown => {
    let x: unknown = 1;
    for (let i = 0; i < n; i++) x = { a: x };
    return x;
  };

  test(`files: ${MAX_NESTING} levels are read, one more is refused`, () => {
    const text = (n: number) => `${'{"a": '.repeat(n)}1${'}'.repeat(n)}`;
    expect(readDataFile(write('ok.json', text(MAX_NESTING)))).toEqual(nested(MAX_NESTING));
    expect(readDataFile(write('ok.yaml', text(MAX_NESTING)))).toEqual(nested(MAX_NESTING));
    expect(messageOf(() => readDataFile(write('deep.json', text(MAX_NESTING + 1))))).toMatch(/deep\.json: a\.a\.a\.a\.\.\.: nested more than 64 levels deep$/);
    expect(messageOf(() => readDataFile(write('deep.yaml', text(MAX_NESTING + 1))))).toMatch(/deep\.yaml: a\.a\.a\.a\.\.\.: nested more than 64 levels deep$/);
  });

  test('data a program passes in: 5,000 levels (or a cycle) in a design, a workload or a space is a ChipdseError naming it, not a stack overflow', () => {
    const deep = nested(5000);
    const space = { ...JSON.parse(readFileSync(join(ROOT, 'designs/spaces/small.json'), 'utf8')), base: deep };
    expect(messageOf(() => parseSpace(space, 'deep-space', ROOT))).toMatch(/^deep-space: base\.a\.a\.a\.\.\.: nested more than 64 levels deep$/);
    expect(messageOf(() => parseDesign({ name: 'x', notes: deep }, 'deep-design'))).toMatch(/^deep-design: notes/);
    const cyclic: Record<string, unknown> = { name: 'w' };
    cyclic.model = cyclic;
    expect(messageOf(() => parseWorkload(cyclic, 'cyclic-workload'))).toMatch(/^cyclic-workload: model\.model\.model/);
  });
});

describe('the size limit', () => {
  const saved = process.env.CHIPDSE_MAX_FILE_BYTES;
  afterEach(() => {
    if (saved === undefined) delete process.env.CHIPDSE_MAX_FILE_BYTES;
    else process.env.CHIPDSE_MAX_FILE_BYTES = saved;
  });

  test('a file over it is refused before it is read; CHIPDSE_MAX_FILE_BYTES raises (or lowers) it', () => {
    const big = write('big.json', JSON.stringify({ list: Array.from({ length: 2_500_000 }, (_, i) => i) }));
    expect(messageOf(() => readDataFile(big))).toMatch(/big\.json: [\d.]+ MiB, over the 16\.0 MiB limit for an input file \(CHIPDSE_MAX_FILE_BYTES raises it\)$/);
    process.env.CHIPDSE_MAX_FILE_BYTES = '64 MiB';
    expect((readDataFile(big) as { list: number[] }).list).toHaveLength(2_500_000);
    process.env.CHIPDSE_MAX_FILE_BYTES = '100';
    expect(messageOf(() => readDataFile(join(ROOT, 'designs/h100-sxm.json')))).toMatch(/h100-sxm\.json: \d+ bytes, over the 100 bytes limit for an input file \(CHIPDSE_MAX_FILE_BYTES raises it\)$/);
    // A 20 MB file written and read: under a second alone.
  }, 60_000);
});
