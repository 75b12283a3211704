import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from './helpers/cli.js';

/**
 * The layout shows the architecture, and data flows one way: spec -> typed chip and workload ->
 * evaluation -> stored result -> chart/text, with the CLI on top. Read from the TypeScript
 * imports of src/ (static, type-only and dynamic alike).
 */

const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

/** Every file's imports of other src files, as paths relative to src/. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(SRC)) {
    const text = readFileSync(file, 'utf8');
    const deps = new Set<string>();
    for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?\sfrom\s+'(\.[^']+)'|^\s*import\s+'(\.[^']+)'|\bimport\(\s*'(\.[^']+)'\s*\)/gm)) {
      const spec = m[1] ?? m[2] ?? m[3];
      deps.add(relative(SRC, resolve(dirname(file), spec.replace(/\.js$/, '.ts'))));
    }
    graph.set(relative(SRC, file), [...deps]);
  }
  return graph;
}

const graph = importGraph();
const under = (dir: string) => (f: string) => f.startsWith(`${dir}/`);

/** Where each folder may not reach: [importer, forbidden import, why]. */
const RULES: [(f: string) => boolean, (f: string) => boolean, string][] = [
  [under('results'), (f) => /^(store|search|chart|text|commands|scripts)\//.test(f) || (under('eval')(f) && f !== 'eval/types.ts'), 'results sit below the store, the search and the outputs; of the evaluator they read only its result types'],
  [under('store'), (f) => /^(search|eval|chip|workload|chart|text|commands)\//.test(f), 'the store keeps results; it neither searches nor evaluates'],
  [under('chart'), (f) => /^(eval|search|commands)\//.test(f), 'a chart draws what the store holds; it never runs the model'],
  [under('text'), (f) => /^(search|store|chart|commands)\//.test(f), 'text output formats results it is given'],
  [under('search'), (f) => /^(chart|text|commands)\//.test(f), 'the search does not draw or print'],
  [under('queue'), (f) => /^(search|eval|chip|workload|chart|text|commands)\//.test(f), 'the job queue carries jobs and results; it neither searches nor evaluates'],
  [(f) => !f.startsWith('commands/') && f !== 'cli.ts' && f !== 'index.ts', under('commands'), 'only the CLI (and the library surface) use the verbs'],
  [() => true, (f) => f === 'cli.ts' || f === 'index.ts', 'nothing imports the CLI or the library surface'],
  [(f) => f === 'cli.ts', (f) => !f.startsWith('commands/') && f !== 'errors.ts', 'cli.ts only wires yargs to the verbs'],
];

test('no import runs against the flow', () => {
  const broken: string[] = [];
  for (const [file, deps] of graph) {
    for (const dep of deps) {
      for (const [from, to, why] of RULES) if (from(file) && to(dep)) broken.push(`${file} imports ${dep}: ${why}`);
    }
  }
  expect(broken).toEqual([]);
});

/** Strongly connected groups of more than one file (Tarjan). */
function cycles(g: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of g.get(v) ?? []) {
      if (!g.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const group: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        group.push(w);
      } while (w !== v);
      if (group.length > 1) out.push(group.sort());
    }
  };
  for (const v of g.keys()) if (!index.has(v)) visit(v);
  return out;
}

/**
 * Type-only cycles in chip/ that the evaluator half of issue 11 removes (another branch). Once it
 * is merged they are gone, and this test asks for the list to be emptied.
 */
test('no import cycles', () => {
  expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
});

const MAX_LINES = 400;

test(`no file under src/ is longer than ${MAX_LINES} lines`, () => {
  const long = [...graph.keys()].filter((f) => (readFileSync(join(SRC, f), 'utf8').match(/\n/g) ?? []).length > MAX_LINES);
  expect(long).toEqual([]);
});

test('the import reader sees imports (a check that cannot fail would prove nothing)', () => {
  expect(graph.get('cli.ts')).toEqual(expect.arrayContaining(['commands/index.ts', 'errors.ts']));
  expect(graph.get('commands/chart.ts')).toEqual(expect.arrayContaining(['chart/render.ts', 'chart/charts.ts']));
  expect(graph.get('results/metrics.ts')).toEqual(['eval/types.ts']);
  expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]))).toEqual([['a', 'b', 'c']]);
});
