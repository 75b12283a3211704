// An exhaustive search of a build (argv[2]: its dist folder) over a space (argv[3]) for argv[4]
// designs, printing as JSON the heap in use (after a full collection) every 8 generations.
// Run with --expose-gc.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, space, designs] = process.argv.slice(2);
const { runSearch } = await import(pathToFileURL(join(dist, 'search/run.js')).href);
const dir = mkdtempSync(join(tmpdir(), 'chipdse-heap-'));
const points = [];
try {
  await runSearch({
    space, workloads: [], algorithm: 'exhaustive', budget: Number(designs), population: 1024, seed: 1, workers: 1, db: join(dir, 'h.db'), run: 'h', resume: false,
    onGeneration: (p) => {
      if (p.generation % 8 !== 0) return;
      globalThis.gc();
      points.push([p.evaluations, process.memoryUsage().heapUsed]);
    },
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.stdout.write(JSON.stringify(points));
