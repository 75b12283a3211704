import { displayAddress } from '../store/address.js';
import { ChipdseError, ValidationError } from '../errors.js';
import { genomeOfKey } from '../results/point.js';
import { designDetail } from '../search/details.js';
import { storedProblem } from '../search/run-inputs.js';
import { openRun } from '../store/open.js';
import { TOOL_VERSION } from '../version.js';
import { dbOption, defineCommand } from './command.js';
import { print } from './output.js';

/**
 * Stores the full evaluation (every phase and step) of designs of a run, for the roofline and
 * energy-by-step charts of designs the run did not store it for. Only this build's model can
 * compute it, so a run stored by another chipdse version is refused: its detail would not be the
 * model that scored it.
 */
export async function storeDetails(o: { db: string; run: string; genomes: string[] }): Promise<string[]> {
  const { store, run } = await openRun(o.db, o.run);
  try {
    if (run.toolVersion !== TOOL_VERSION) throw new ChipdseError(`${store.location}: run "${run.name}" was stored by chipdse ${run.toolVersion} and this is ${TOOL_VERSION}, whose model may score designs differently; its detail would not match the run`);
    const evaluated = new Set((await store.loadEvaluations(run.id)).map((p) => p.key));
    for (const g of o.genomes) if (!evaluated.has(g)) throw new ChipdseError(`run ${run.name}: no evaluated design "${g}" (chipdse front --run ${run.name} lists the front's genomes)`);
    // What it evaluates is what the run stored, not today's files. Its one write is refused while
    // another process writes the run (one writer per run).
    const { space, workloads } = storedProblem(run);
    const details = o.genomes.map((g) => {
      try {
        return designDetail(space, workloads, genomeOfKey(g));
      } catch (e) {
        if (e instanceof ValidationError) throw new ChipdseError(`run ${run.name}: design ${g} is invalid, so it has no detail (${e.issues[0]?.message ?? e.message})`);
        throw e;
      }
    });
    await store.saveDetails(run.id, details);
    return o.genomes;
  } finally {
    await store.close();
  }
}

export const detailVerb = defineCommand({
  command: 'detail',
  describe: 'store the per-step evaluation of designs of a run, for their roofline and energy-by-step charts',
  builder: (y) =>
    y
      .option('run', { type: 'string', demandOption: true, describe: 'the run\'s name (chipdse runs lists them)' })
      .option('db', dbOption)
      .option('genome', { type: 'array', string: true, demandOption: true, describe: 'the designs (genomes as chipdse front and export print them)' })
      .example('$0 detail --run demo --genome 3.0.3.4.0', 'store one design\'s per-step evaluation, then: chipdse chart --run demo --kind roofline --genome 3.0.3.4.0 --out r.png'),
  handler: async (a) => {
    const stored = await storeDetails({ db: a.db, run: a.run, genomes: a.genome as string[] });
    print(`${a.run}: detail stored for ${stored.join(', ')} (db ${displayAddress(a.db)})`);
  },
});
