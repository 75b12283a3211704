import { ChipdseError } from '../errors.js';
import { listWorkers } from '../queue/workers.js';
import { parseStoreAddress, redactUrl } from '../store/address.js';
import { newPool, pgError } from '../store/postgres-connect.js';
import { table } from '../text/format.js';
import { defineCommand } from './command.js';
import { print, printJson } from './output.js';

export const workersVerb = defineCommand({
  command: 'workers',
  describe: 'list the chipdse workers of a PostgreSQL database: alive, what they are doing, what they did',
  builder: (y) =>
    y
      .option('storage', { alias: 'db', type: 'string', demandOption: true, describe: 'the postgresql:// URL the workers use' })
      .option('all', { type: 'boolean', describe: 'also workers stopped or silent in the last hour' })
      .option('json', { type: 'boolean', describe: 'print the workers as JSON' })
      .example('$0 workers --storage postgresql://chipdse@db:5432/chipdse', 'the workers alive: host, pid, version, jobs and designs done, the job in hand'),
  handler: async (a) => {
    const address = parseStoreAddress(a.storage);
    if (address.kind !== 'postgresql') throw new ChipdseError(`--storage: workers live in a PostgreSQL database (a postgresql:// URL), got ${a.storage}`);
    const pool = newPool(address.url, 1);
    let rows;
    try {
      rows = await listWorkers(pool, a.all ? 3600 : 0);
    } catch (e) {
      throw pgError(address.url, e);
    } finally {
      await pool.end().catch(() => {});
    }
    if (a.json) return printJson(rows);
    if (rows.length === 0) return print(`${redactUrl(address.url)}: no worker alive${a.all ? ' or seen in the last hour' : ' (start some: chipdse worker --storage URL)'}`);
    print(
      table(
        rows.map((w) => [String(w.id), w.host, String(w.pid), w.toolVersion, w.stopped ? 'stopped' : w.alive ? 'alive' : 'silent', `${w.heartbeatAgeSec.toFixed(0)} s ago`, String(w.jobsDone), String(w.designsDone), w.designsDone ? `${((w.evaluationSec / w.designsDone) * 1e3).toPrecision(3)} ms` : '', w.currentJob ?? '']),
        ['worker', 'host', 'pid', 'chipdse', 'state', 'heard', 'jobs', 'designs', 'per design', 'now'],
      ),
    );
  },
});
