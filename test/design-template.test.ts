import { isDeepStrictEqual } from 'node:util';
import { parseDesign } from '../src/chip/load.js';
import { ValidationError } from '../src/errors.js';
import { genomeAt } from '../src/search/algorithms.js';
import { z } from 'zod';
import { designSchema } from '../src/chip/schema.js';
import { chipForGenome, compileDesignTemplate, nameCheck, useDesignTemplates } from '../src/search/design-template.js';
import { evaluateGenome } from '../src/search/problem.js';
import { designForGenome, loadSpace, parseSpace, type Space } from '../src/search/space.js';
import { loadWorkload } from '../src/workload/load.js';

/** The chip (or the ValidationError's message) both ways: the template, and validating the whole design. */
function bothWays(space: Space, genome: number[]): { fast: unknown; full: unknown } {
  const run = (f: () => unknown) => {
    try {
      return f();
    } catch (e) {
      if (e instanceof ValidationError) return `ValidationError: ${e.message}`;
      throw e;
    }
  };
  return {
    fast: run(() => chipForGenome(space, genome, 'f')),
    full: run(() => parseDesign(designForGenome(space, genome), 'f').chip),
  };
}

const inline = (parameters: unknown[], base: unknown = 'tpu-v6e') =>
  parseSpace({ name: 't', base, parameters, objectives: [{ metric: 'tokensPerSec', goal: 'max' }] }, 'inline', process.cwd());

describe('design template: chips without validating every design whole', () => {
  test.each(['small', 'training-chip', 'inference-chip'])('every design of the %s space gives the same chip as full validation', (name) => {
    const space = loadSpace(name);
    const template = compileDesignTemplate(space);
    expect(template).toBeDefined();
    let differ = 0;
    for (let i = 0; i < space.size; i++) {
      const g = genomeAt(space, i);
      const full = parseDesign(designForGenome(space, g), 'f').chip;
      const fast = template!.build(g, 'f');
      // Keys in the same order too (JSON), not only the same values.
      if (!isDeepStrictEqual(fast, full) || JSON.stringify(fast) !== JSON.stringify(full)) differ++;
    }
    expect(differ).toBe(0);
  }, 120_000);

  test('a value that fails validation takes the full path, with its usual error', () => {
    const space = inline([{ name: 'sram', type: 'values', path: 'memory.sram.bytes', unit: 'MiB', values: [64, -1, 2e9] }]);
    expect(compileDesignTemplate(space)).toBeDefined();
    // Each twice: the second time from the template's table of validated values (failures kept too).
    for (const g of [[0], [1], [2], [1], [2], [0]]) {
      const { fast, full } = bothWays(space, g);
      expect(fast).toEqual(full);
    }
    expect(bothWays(space, [1]).fast).toMatch(/^ValidationError: f: memory\.sram\.bytes/);
  });

  test('cross-field rules give the same errors (a torus shape that no longer multiplies to the pod)', () => {
    const space = inline([{ name: 'pod', type: 'values', path: 'interconnect.chipsPerPod', values: [256, 64] }]);
    expect(compileDesignTemplate(space)).toBeDefined();
    const { fast, full } = bothWays(space, [1]);
    expect(fast).toEqual(full);
    expect(String(fast)).toMatch(/torusShape/);
  });

  test('a parameter that creates a container the base lacks (DRAM tier, block scaling) is validated with its defaults', () => {
    const space = inline([
      { name: 'dram', type: 'values', set: { 'memory.dram.bytes': '64 GB', 'memory.dram.bytesPerSec': '100 GB/s' }, values: [1, 2, 4] },
      { name: 'block', type: 'values', path: 'compute.blockScaling.blockSizes[0]', values: [32, 64] },
    ]);
    expect(compileDesignTemplate(space)).toBeDefined();
    for (let i = 0; i < space.size; i++) {
      const { fast, full } = bothWays(space, genomeAt(space, i));
      expect(fast).toEqual(full);
    }
  });

  test('arrays copied by a literal of their elements: a written element in place, the others the base\'s, in order', () => {
    const base = {
      extends: 'tpu-v6e',
      compute: { matrixUnits: [{ name: 'a', count: 4, macsPerCycle: { bf16: 16384, fp8_e4m3: 32768 } }, { name: 'b', count: 2, macsPerCycle: { int8: 65536 } }] },
    };
    const space = inline([
      { name: 'b', type: 'values', path: 'compute.matrixUnits[1].count', values: [1, 2, 3] },
      { name: 'side', type: 'values', path: 'interconnect.torusShape[1]', values: [16, 8] },
    ], base);
    expect(compileDesignTemplate(space)).toBeDefined();
    for (let i = 0; i < space.size; i++) {
      const { fast, full } = bothWays(space, genomeAt(space, i));
      expect(fast).toEqual(full);
      expect(JSON.stringify(fast)).toBe(JSON.stringify(full));
    }
    expect((bothWays(space, [2, 0]).fast as { matrixUnits: { name: string; count: number }[] }).matrixUnits.map((u) => `${u.name}${u.count}`)).toEqual(['a4', 'b3']);
  });

  test('two parameters writing into the same place: no template, the full path still answers', () => {
    const space = inline([
      { name: 'a', type: 'values', path: 'memory.hbm.stacks', values: [1, 2] },
      { name: 'b', type: 'values', set: { 'memory.hbm.stacks': 1 }, values: [2, 4] },
    ]);
    expect(compileDesignTemplate(space)).toBeUndefined();
    const { fast, full } = bothWays(space, [0, 1]);
    expect(fast).toEqual(full);
  });

  test('a search evaluation is identical with and without the template', () => {
    const space = loadSpace('inference-chip');
    const workloads = [loadWorkload('llama-3-70b-serve'), loadWorkload('llama-3-70b-serve-fp4')];
    const genomes = [0, 17, 999, 4321, 12959].map((i) => genomeAt(space, i));
    const withTemplate = genomes.map((g) => evaluateGenome({ space, workloads }, g));
    useDesignTemplates(false);
    try {
      const without = genomes.map((g) => evaluateGenome({ space, workloads }, g));
      expect(withTemplate).toEqual(without);
    } finally {
      useDesignTemplates(true);
    }
  });

  test('the design name check agrees with the name schema: its length bounds, or the schema itself where it checks more', () => {
    const names = ['', 'a', 'inference-chip#0.1.2', 'x'.repeat(199), 'x'.repeat(200), 'x'.repeat(201), 'é'.repeat(200), 'é'.repeat(201)];
    const schemas = [designSchema.shape.name, z.string().min(3).max(5), z.string().regex(/^[a-z]+$/).max(200), z.string().length(1), z.email()];
    for (const schema of schemas) {
      const fits = nameCheck(schema);
      for (const n of names) expect([schema.toString(), n.length, fits(n)]).toEqual([schema.toString(), n.length, schema.safeParse(n).success]);
    }
    // The shipped schema's bounds are read, not re-parsed: 1 to 200 characters.
    expect(nameCheck(designSchema.shape.name)('x'.repeat(201))).toBe(false);
    expect(nameCheck(designSchema.shape.name)('x')).toBe(true);
  });
});
