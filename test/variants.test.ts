import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChipdseError, ValidationError } from '../src/errors.js';
import { loadDesign, parseDesign } from '../src/chip/load.js';
import { designSchema } from '../src/chip/schema.js';
import { evaluate } from '../src/eval/evaluate.js';
import { merged } from '../src/io/extends.js';
import { parseSetting, routeSettings } from '../src/io/settings.js';
import { loadSpace } from '../src/search/space.js';
import { loadWorkload } from '../src/workload/load.js';
import { workloadSchema } from '../src/workload/schema.js';
import { runCli } from './helpers/cli.js';
import { rawDesign } from './helpers/designs.js';

/**
 * Variants without copying files: `extends` in design and workload files (a preset or a path, deep
 * merge, arrays replaced, null removes, cycles refused, errors naming the file that holds the bad
 * field) and `--set path=value` on the command line.
 */
let dir: string;
const put = (name: string, data: unknown) => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(data));
  return p;
};

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ChipdseError);
    return (e as Error).message;
  }
  throw new Error('expected a ChipdseError');
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chipdse-variants-'));
  mkdirSync(join(dir, 'models'));
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'models', 'm.config.json'), JSON.stringify(llama8bConfig()));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Llama 3 8B's config.json fields (Hugging Face meta-llama/Meta-Llama-3-8B). */
function llama8bConfig(): unknown {
  return { hidden_size: 4096, num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, intermediate_size: 14336, vocab_size: 128256 };
}

describe('extends', () => {
  test('a design extends a preset: objects merge field by field, the rest is the preset\'s', () => {
    const p = put('h6.json', { extends: 'h100-sxm', name: 'h100-6stack', memory: { hbm: { stacks: 6, bytes: '96 GB' } } });
    const base = loadDesign('h100-sxm');
    const v = loadDesign(p);
    expect(v.name).toBe('h100-6stack');
    expect(v.hbmStacks).toBe(6);
    expect(v.hbmBytes).toBe(96e9);
    expect(v.hbmBytesPerSec).toBe(base.hbmBytesPerSec);
    expect(v.peakMacsPerSec).toEqual(base.peakMacsPerSec);
    expect(v.tdpW).toBe(base.tdpW);
  });

  test('arrays are replaced, not merged; null removes an inherited field', () => {
    expect(merged({ a: [1, 2, 3], b: { c: 1, d: 2 } }, { a: [9], b: { d: null } })).toEqual({ a: [9], b: { c: 1 } });
    const p = put('no-tdp.json', { extends: 'b200', name: 'b200-free', tdpW: null, compute: { blockScaling: { blockSizes: [32, 128] } } });
    const v = loadDesign(p);
    expect(v.tdpW).toBeUndefined();
    expect(v.blockScaling?.blockSizes).toEqual([32, 128]);
  });

  test('a chain of files: each relative extends resolves against its own file', () => {
    put('other/mid.json', { extends: '../h6.json', name: 'mid', tdpW: '650 W' });
    const p = put('leaf.json', { extends: './other/mid.json', name: 'leaf' });
    const v = loadDesign(p);
    expect([v.name, v.hbmStacks, v.tdpW]).toEqual(['leaf', 6, 650]);
  });

  test('a cycle is refused with the chain, in one error', () => {
    put('a.json', { extends: './b.json', name: 'a' });
    const b = put('b.json', { extends: './a.json', name: 'b' });
    expect(messageOf(() => loadDesign(b))).toMatch(/extends: cycle: .*a\.json -> .*b\.json/);
  });

  test('an error names the file that holds the bad field: the child\'s own, or the parent\'s it inherits', () => {
    const child = put('bad-child.json', { extends: 'h100-sxm', name: 'x', memory: { hbm: { stacks: 'six' } } });
    const msg = messageOf(() => loadDesign(child));
    expect(msg).toMatch(/bad-child\.json: memory\.hbm\.stacks:/);
    const parent = put('bad-parent.json', { ...rawDesign('h100-sxm'), name: 'p', compute: { ...rawDesign('h100-sxm').compute, clockHz: 'fast' } });
    const kid = put('kid.json', { extends: parent, name: 'k', tdpW: '600 W', sramTypo: 1 });
    const lines = messageOf(() => loadDesign(kid)).split('\n');
    expect(lines).toContainEqual(expect.stringMatching(/bad-parent\.json: compute\.clockHz:/));
    expect(lines).toContainEqual(expect.stringMatching(/kid\.json: sramTypo: unknown key/));
  });

  test('extends must name something; a missing parent says where it looked', () => {
    expect(messageOf(() => parseDesign({ extends: 42 }, 'x.json'))).toMatch(/x\.json: extends: expected a design preset name or a path/);
    expect(messageOf(() => loadDesign(put('orphan.json', { extends: './nope.json' })))).toMatch(/orphan\.json: extends: .*nope\.json not found \(looked in .*nope\.json\)/);
  });

  test('a workload extends a preset, and a parent\'s relative model path stays relative to the parent', () => {
    const v = loadWorkload(put('long.json', { extends: 'llama-3-70b-serve', name: 'long', inputTokens: 8192 }));
    const base = loadWorkload('llama-3-70b-serve');
    expect([v.name, v.inputTokens, v.outputTokens, v.chips]).toEqual(['long', 8192, base.outputTokens, base.chips]);
    put('models/w.json', { name: 'w', model: 'm.config.json', phase: 'decode', batch: 8, inputTokens: 512, outputTokens: 64 });
    const child = loadWorkload(put('other/w2.json', { extends: '../models/w.json', name: 'w2', batch: 16 }));
    expect(child.model!.hiddenSize).toBe(4096);
    expect(child.batch).toBe(16);
  });

  test('a space\'s inline base may extend a preset', () => {
    const space = { name: 's', base: { extends: 'tpu-v6e', tdpW: '400 W' }, workloads: ['llama-3-8b-serve'], parameters: [{ name: 'mxus', type: 'pow2', path: 'compute.matrixUnits[0].count', min: 1, max: 4 }], objectives: [{ metric: 'tokensPerSec', goal: 'max' }] };
    const s = loadSpace(put('space.json', space));
    expect(s.base.data.tdpW).toBe('400 W');
    expect(s.base.data.extends).toBeUndefined();
    expect(s.base.data.processNode).toBe(rawDesign('tpu-v6e').processNode);
  });
});

describe('--set path=value', () => {
  const targets = [{ name: 'design', schema: designSchema }, { name: 'workload', schema: workloadSchema }];

  test('values read as in a file: numbers, quantities, booleans, lists', () => {
    expect(parseSetting('memory.hbm.stacks=6').value).toBe(6);
    expect(parseSetting('memory.hbm.bytes=96 GB').value).toBe('96 GB');
    expect(parseSetting('memory.ecc=false').value).toBe(false);
    expect(parseSetting('compute.blockScaling.blockSizes=[32, 128]').value).toEqual([32, 128]);
    expect(() => parseSetting('memory.hbm.stacks')).toThrow(/expected path=value/);
  });

  test('a bare path goes to the file whose schema has it; one both have must be prefixed', () => {
    const r = routeSettings(['memory.hbm.stacks=6', 'inputTokens=4096', 'workload.name=w', 'compute.matrixUnits[0].macsPerCycle.fp4=8192'], targets);
    expect(r.design.map((s) => s.path)).toEqual(['memory.hbm.stacks', 'compute.matrixUnits[0].macsPerCycle.fp4']);
    expect(r.workload.map((s) => s.path)).toEqual(['inputTokens', 'name']);
    expect(() => routeSettings(['name=x'], targets)).toThrow(/say which: design\.name or workload\.name/);
  });

  test('a bad path is one line with the nearest valid keys', () => {
    const msg = (t: string) => {
      try {
        routeSettings([t], targets);
      } catch (e) {
        return (e as Error).message;
      }
      return '';
    };
    expect(msg('memory.hbm.stack=6')).toBe('--set memory.hbm.stack=6: no "stack" in the design field memory.hbm (nearest: stacks, bytes, generation, bytesPerSec)');
    expect(msg('compute.matrixUnits[0].macsPerCycle.fp9=1')).toMatch(/no "fp9" in the design field compute\.matrixUnits\.0\.macsPerCycle \(nearest: fp4,/);
    expect(msg('inputTokenz=1')).toMatch(/nearest: .*workload: inputTokens/);
    // A bare name of a deeper field is named with its full path.
    expect(msg('stacks=6')).toBe('--set stacks=6: no top-level "stacks"; did you mean design.memory.hbm.stacks=6?');
    for (const t of ['memory.hbm.stack=6', 'inputTokenz=1']) expect(msg(t).split('\n')).toHaveLength(1);
  });

  test('a setting changes the evaluation as the same field in a file does, and its error names --set', () => {
    const viaFile = loadDesign(put('h6b.json', { extends: 'h100-sxm', name: 'h100-sxm', memory: { hbm: { stacks: 6, bytes: '96 GB' } } }));
    const viaSet = loadDesign('h100-sxm', routeSettings(['memory.hbm.stacks=6', 'memory.hbm.bytes=96 GB'], targets).design);
    const w = loadWorkload('llama-3-70b-serve');
    expect(evaluate(viaSet, w).metrics).toEqual(evaluate(viaFile, w).metrics);
    const bad = routeSettings(['memory.hbm.stacks=-1'], targets).design;
    try {
      loadDesign('h100-sxm', bad);
      throw new Error('expected a ValidationError');
    } catch (e) {
      expect(e).toBeInstanceOf(ValidationError);
      expect((e as Error).message).toMatch(/^--set memory\.hbm\.stacks=-1: memory\.hbm\.stacks:/);
    }
  });

  test('eval, compare and sweep take --set; search takes design fields; a bad path exits 1 with one line', async () => {
    const ev = await runCli(['eval', '-d', 'h100-sxm', '-w', 'llama-3-70b-serve', '--set', 'memory.hbm.stacks=6', '--set', 'memory.hbm.bytes=96 GB', '--set', 'inputTokens=4096', '--json']);
    expect(ev.code).toBe(0);
    const e = JSON.parse(ev.stdout);
    expect(e.design).toBe('h100-sxm [memory.hbm.stacks=6, memory.hbm.bytes=96 GB]');
    expect(e.workload).toBe('llama-3-70b-serve [inputTokens=4096]');
    const cmp = await runCli(['compare', '-d', 'h100-sxm', 'h200-sxm', '-w', 'llama-3-8b-serve', '--set', 'tdpW=500 W', '--json']);
    expect(cmp.code).toBe(0);
    for (const r of JSON.parse(cmp.stdout).workloads[0].results) expect(r.metrics.peakPowerW).toBeLessThanOrEqual(500 + 1e-6);
    const bad = await runCli(['sweep', '--space', 'small', '--set', 'memory.hbm.stack=6']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split('\n')).toEqual(['chipdse: --set memory.hbm.stack=6: no "stack" in the design field memory.hbm (nearest: stacks, bytes, generation, bytesPerSec)']);
    const wl = await runCli(['search', '--space', 'small', '--db', join(dir, 's.db'), '--set', 'inputTokens=4096']);
    expect(wl.code).toBe(1);
    expect(wl.stderr).toMatch(/no "inputTokens" in the design/);
  }, 60_000);
});
