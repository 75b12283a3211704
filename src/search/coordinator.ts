/**
 * A search's generations evaluated by `chipdse worker` processes through the job queue: the
 * coordinator (the `chipdse search --distribute` process) enqueues a generation as jobs of many
 * designs, waits until every design is staged, and takes them out in the order it proposed them,
 * so the stored rows do not depend on how many workers there were or which finished first.
 * Designs already staged (by the jobs of a coordinator that died, or of a generation dropped by a
 * stop) are not evaluated again.
 */
import { ChipdseError } from '../errors.js';
import { QueueClient, type WaitStatus } from '../queue/client.js';
import type { SearchJob } from '../queue/jobs.js';
import { clearStaged, countStaged, stagedKeys, takeStaged } from '../queue/staging.js';
import { genomeKey, type MetricsForm, type StoredPoint } from '../results/point.js';
import type { StoredColumns } from '../results/stored-columns.js';
import { parseStoreAddress } from '../store/address.js';
import { TOOL_VERSION } from '../version.js';
import { jobSizes } from './job-size.js';

export type { WaitStatus };

export interface DistributeOptions {
  /** Seconds after which a job a worker took and did not finish goes to another worker (default 120). */
  jobTimeoutSec?: number;
  /** Designs per job; default: sized from the workers alive and their measured speed (job-size.ts). */
  jobDesigns?: number;
  /** Called while a generation waits on workers: every 10 s, and at once when none is alive. */
  onWait?: (w: WaitStatus) => void;
}

export const DEFAULT_JOB_TIMEOUT_SEC = 120;

/** What evaluates a search's proposals: worker threads of this process (EvaluatorPool) or workers anywhere (RemoteEvaluator). */
export interface DesignEvaluator {
  /** `form`: how the metrics should come (a remote evaluator's come as JSON whatever it asks; every store takes both). */
  evaluateForStore(genomes: number[][], form?: MetricsForm): Promise<StoredPoint[] | StoredColumns>;
  /** True when evaluateForStore evaluates on the calling thread before it returns (no worker threads). */
  readonly evaluatesInline?: boolean;
  /** Workers alive at the last look (distributed runs only). */
  readonly workersAlive?: number;
  /** Called once the run is finished or stopped: `done` drops what is left staged for it. */
  finish?(done: boolean): Promise<void>;
  close(): Promise<void>;
}

/** The storage URL a distributed run needs: workers reach the run through it. */
export function distributedUrl(storage: string): string {
  const a = parseStoreAddress(storage);
  if (a.kind !== 'postgresql') throw new ChipdseError(`--distribute needs a postgresql:// --storage (workers anywhere reach the run through it), got ${a.kind === 'sqlite' ? `the SQLite file ${a.file}` : storage}`);
  return a.url;
}

export class RemoteEvaluator implements DesignEvaluator {
  private outstanding: string[] = [];

  private constructor(
    private readonly q: QueueClient,
    private readonly runId: number,
    private readonly runName: string,
    private readonly o: DistributeOptions & { jobTimeoutSec: number },
  ) {}

  static async start(url: string, runId: number, runName: string, o: DistributeOptions & { shouldStop?: () => boolean }): Promise<RemoteEvaluator> {
    const opts = { ...o, jobTimeoutSec: o.jobTimeoutSec ?? DEFAULT_JOB_TIMEOUT_SEC };
    const q = await QueueClient.open(url, TOOL_VERSION, { jobTimeoutSec: opts.jobTimeoutSec, shouldStop: o.shouldStop, onWait: o.onWait });
    return new RemoteEvaluator(q, runId, runName, opts);
  }

  get workersAlive(): number {
    return this.q.workersAlive;
  }

  async evaluateForStore(genomes: number[][]): Promise<StoredPoint[]> {
    const keys = genomes.map(genomeKey);
    const staged = await this.q.db((p) => stagedKeys(p, this.runId, keys));
    const todo = genomes.filter((_, i) => !staged.has(keys[i]));
    await this.q.refreshWorkers();
    const sizes = jobSizes({ designs: todo.length, workersAlive: this.q.workersAlive, secPerDesign: this.q.secPerDesign, jobTimeoutSec: this.o.jobTimeoutSec, fixed: this.o.jobDesigns });
    let at = 0;
    const jobs: SearchJob[] = sizes.map((n) => ({ kind: 'search', runId: this.runId, runName: this.runName, toolVersion: TOOL_VERSION, genomes: todo.slice(at, (at += n)) }));
    const ids = await this.q.enqueue(jobs);
    this.outstanding = ids;
    await this.q.waitFor(
      async () => ({ done: await this.q.db((p) => countStaged(p, this.runId, keys)), total: keys.length }),
      ids.map((id, i) => ({ id, job: jobs[i] })),
    );
    this.outstanding = [];
    return this.q.db((p) => takeStaged(p, this.runId, keys));
  }

  async finish(done: boolean): Promise<void> {
    await this.q.cancel(this.outstanding);
    if (done) {
      await this.q.cancelRun(this.runId);
      await this.q.db((p) => clearStaged(p, this.runId));
    }
  }

  async close(): Promise<void> {
    await this.q.close();
  }
}
