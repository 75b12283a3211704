import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ChipdseError } from '../src/errors.js';
import { looksLikePath } from '../src/io/resolve.js';
import { loadDesign } from '../src/chip/load.js';
import { loadSpace, parseSpace } from '../src/search/space.js';
import { loadWorkload } from '../src/workload/load.js';
import { cleanErrorLines, ROOT, runCli } from './helpers/cli.js';

/**
 * One preset-or-path rule for designs, workloads, models, trace files and spaces (src/io/resolve.ts):
 * a relative path resolves against the folder of the file that names it, never the working folder,
 * and a file that is not there gives one line saying where it looked. Every file here lives in a
 * temporary folder while the tests run in the repository root, so a path that only resolves
 * against the working folder fails.
 */
const read = (p: string) => JSON.parse(readFileSync(join(ROOT, p), 'utf8')) as Record<string, unknown>;
const put = (path: string, data: unknown) => writeFileSync(path, JSON.stringify(data));

let dir: string;
const servingWorkload = { phase: 'serve', batch: 8, inputTokens: 512, outputTokens: 64, precision: { weights: 'fp8', activations: 'bf16', kvCache: 'fp8' } };

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'chipdse-resolve-'));
  mkdirSync(join(dir, 'sub'));
  put(join(dir, 'sub', 'chip.json'), read('designs/tpu-v6e.json'));
  put(join(dir, 'sub', 'x.config.json'), read('workloads/models/llama-3-8b.json'));
  put(join(dir, 'sub', 'd.config.json'), read('workloads/models/llama-3.2-1b.json'));
  put(join(dir, 'sub', 't.json'), read('workloads/traces/gemm-8192-bf16.json'));
  put(join(dir, 'sub', 'w.json'), { name: 'w', model: 'x.config.json', ...servingWorkload });
  put(join(dir, 'sub', 'w-dot.json'), { name: 'w-dot', model: './x.config.json', ...servingWorkload });
  put(join(dir, 'sub', 'w-trace.json'), { name: 'w-trace', trace: 't.json' });
  put(join(dir, 'sub', 'w-spec.json'), { name: 'w-spec', model: 'x.config.json', ...servingWorkload, speculative: { drafter: 'd.config.json', draftTokens: 4, acceptanceRate: 0.7 } });
  put(join(dir, 'sub', 'w-mix.json'), { name: 'w-mix', mix: [{ workload: 'w.json', weight: 0.5 }, { workload: 'llama-3-8b-serve', weight: 0.5 }] });
  put(join(dir, 'sub', 'w-missing-model.json'), { name: 'm', model: './nope.config.json', ...servingWorkload });
  const space = read('designs/spaces/small.json');
  put(join(dir, 'sub', 'space.json'), { ...space, base: './chip.json', workloads: ['./w.json', 'w-dot.json', 'llama-3-8b-serve'] });
  put(join(dir, 'sub', 'space-missing.json'), { ...space, base: './chip.json', workloads: ['./w.json', './absent.json', 'no-such-preset'] });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function messageOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ChipdseError);
    return (e as Error).message;
  }
  throw new Error('expected a ChipdseError');
}

describe('preset or path: one rule', () => {
  test('a folder separator (/ or \\) or a data-file extension makes a path; anything else names a preset first', () => {
    for (const p of ['a/b', 'a\\b', './w', 'w.json', 'w.JSON', 'w.yaml', 'w.yml', '/abs/w']) expect(looksLikePath(p)).toBe(true);
    for (const p of ['h100-sxm', 'llama-3-70b', 'w', 'w.txt']) expect(looksLikePath(p)).toBe(false);
  });

  test('a bare name that is neither a preset nor a file lists the presets and says where it looked', () => {
    const m = messageOf(() => loadWorkload('no-such-workload'));
    expect(m).toBe(`unknown workload "no-such-workload": not a preset (${m.match(/\(([^)]*)\)/)![1]}) nor a file (looked in ${join(process.cwd(), 'no-such-workload')})`);
    expect(m).toContain('llama-3-70b-serve');
    expect(messageOf(() => loadDesign('no-such-chip'))).toMatch(/^unknown design "no-such-chip": not a preset \(.*h100-sxm.*\) nor a file \(looked in .*no-such-chip\)$/);
  });
});

describe('a space file: base and workloads resolve against the space file\'s folder', () => {
  test('workloads come out of parseSpace resolved: absolute paths for files, names for presets', () => {
    const space = loadSpace(join(dir, 'sub', 'space.json'));
    const expected = [join(dir, 'sub', 'w.json'), join(dir, 'sub', 'w-dot.json'), 'llama-3-8b-serve'];
    expect(space.defaultWorkloads).toEqual(expected);
    // Also in the raw space a run stores, so its self-contained copy names them from anywhere.
    expect(space.raw.workloads).toEqual(expected);
    expect(space.base.path).toBe(join(dir, 'sub', 'chip.json'));
    expect(space.base.data.name).toBe(read('designs/tpu-v6e.json').name);
    // A stored run's space (its raw data with the base inlined) gives the same list, read from any folder.
    expect(parseSpace({ ...space.raw, base: space.base.data }, 'stored', tmpdir()).defaultWorkloads).toEqual(expected);
    for (const w of space.defaultWorkloads) expect(() => loadWorkload(w)).not.toThrow();
  });

  test('missing workloads are reported together, each with where it looked', () => {
    const m = messageOf(() => loadSpace(join(dir, 'sub', 'space-missing.json')));
    const file = join(dir, 'sub', 'space-missing.json');
    expect(m.split('\n')).toEqual([
      `${file}: workloads[1]: ./absent.json not found (looked in ${join(dir, 'sub', 'absent.json')})`,
      expect.stringMatching(new RegExp(`^${escapeRe(file)}: workloads\\[2\\]: unknown workload "no-such-preset": not a preset \\(.*\\) nor a file \\(looked in ${escapeRe(join(dir, 'sub', 'no-such-preset'))}\\)$`)),
    ]);
  });

  test('the command line says it in one line per problem, with no stack trace', async () => {
    const r = await runCli(['search', '--space', join(dir, 'sub', 'space-missing.json'), '--db', join(dir, 'x.db'), '--budget', '8'], dir);
    expect(r.code).toBe(1);
    const lines = cleanErrorLines(r.stderr);
    expect(lines[0]).toBe(`chipdse: ${join(dir, 'sub', 'space-missing.json')}: workloads[1]: ./absent.json not found (looked in ${join(dir, 'sub', 'absent.json')})`);
  }, 60_000);

  test('a search over a space with relative workloads runs from another working folder', async () => {
    const r = await runCli(['search', '--space', join('sub', 'space.json'), '--db', join(dir, 'run.db'), '--budget', '8', '--population', '4', '--workers', '1', '--seed', '1'], dir);
    expect(r.stderr).not.toMatch(/^chipdse: /m);
    expect(r.code).toBe(0);
  }, 120_000);
});

describe('a workload file: model, trace, mix and drafter resolve against the workload\'s folder', () => {
  test('"model": "x.config.json" works as "./x.config.json" does, and both are the file\'s model', () => {
    const bare = loadWorkload(join(dir, 'sub', 'w.json'));
    const dotted = loadWorkload(join(dir, 'sub', 'w-dot.json'));
    const { name: _a, ...fromBare } = bare.model!;
    const { name: _b, ...fromDotted } = dotted.model!;
    expect(fromBare).toEqual(fromDotted);
    const { name: _c, ...preset } = loadWorkload('llama-3-8b-serve').model!;
    expect(fromBare).toEqual(preset);
  });

  test('a trace file, a mixed workload and a drafter given by relative paths', () => {
    const t = loadWorkload(join(dir, 'sub', 'w-trace.json'));
    expect(t.traceFile!.steps.length).toBeGreaterThan(0);
    const mix = loadWorkload(join(dir, 'sub', 'w-mix.json'));
    expect(mix.mix!.map((c) => c.workload.name)).toEqual(['w', 'llama-3-8b-serve']);
    const spec = loadWorkload(join(dir, 'sub', 'w-spec.json'));
    expect(spec.speculative!.drafter.layers).toBe(read('workloads/models/llama-3.2-1b.json').num_hidden_layers);
  });

  test('a missing model file names the workload file and field, and where it looked', () => {
    const file = join(dir, 'sub', 'w-missing-model.json');
    expect(messageOf(() => loadWorkload(file))).toBe(`${file}: model: ./nope.config.json not found (looked in ${join(dir, 'sub', 'nope.config.json')})`);
  });

  test('a workload given on the command line is relative to the working folder, and named as given', () => {
    const m = messageOf(() => loadWorkload('sub/absent.json'));
    expect(m).toBe(`sub/absent.json not found (looked in ${join(process.cwd(), 'sub', 'absent.json')})`);
  });
});

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
