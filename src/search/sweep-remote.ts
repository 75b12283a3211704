/**
 * A sweep over `chipdse worker` processes: the index space is cut into shards, one job each; a
 * worker evaluates a shard and stores its counts and front; the coordinator merges them as the
 * threads of a local sweep are merged (counts added, fronts joined in index order), so the answer
 * is the local one. The sweep's problem lives in the database only while the sweep runs.
 */
import { QueueClient, type WaitStatus } from '../queue/client.js';
import type { SweepJob } from '../queue/jobs.js';
import { countShards, createSweep, deleteSweep, loadShards, sweepHeartbeat } from '../queue/sweeps.js';
import { thisHolder } from '../store/claims.js';
import { TOOL_VERSION } from '../version.js';
import type { Workload } from '../workload/workload.js';
import { DEFAULT_JOB_TIMEOUT_SEC, type DistributeOptions } from './coordinator.js';
import { jobSizes } from './job-size.js';
import { selfContained, type Space } from './space.js';
import { mergeFronts, tallyChunk, type SweepResult } from './sweep.js';

/** Shards per worker alive: spare shards even out workers of different speeds. */
const SHARDS_PER_WORKER = 4;
const HEARTBEAT_MS = 30_000;

export async function sweepDistributed(url: string, space: Space, workloads: Workload[], o: DistributeOptions & { shouldStop?: () => boolean }): Promise<SweepResult> {
  const jobTimeoutSec = o.jobTimeoutSec ?? DEFAULT_JOB_TIMEOUT_SEC;
  const q = await QueueClient.open(url, TOOL_VERSION, { jobTimeoutSec, shouldStop: o.shouldStop, onWait: o.onWait as ((w: WaitStatus) => void) | undefined });
  let sweepId: number | undefined;
  let ids: string[] = [];
  const heartbeat = setInterval(() => sweepId !== undefined && void q.db((p) => sweepHeartbeat(p, sweepId!)).catch(() => {}), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    const { workloads: _named, ...spaceData } = selfContained(space);
    sweepId = await q.db((p) => createSweep(p, { spaceJson: JSON.stringify(spaceData), workloadsJson: JSON.stringify(workloads), toolVersion: TOOL_VERSION, designs: space.size, ...thisHolder() }));
    const sizes = jobSizes({ designs: space.size, workersAlive: Math.max(1, q.workersAlive) * SHARDS_PER_WORKER, secPerDesign: q.secPerDesign, jobTimeoutSec, fixed: o.jobDesigns });
    let from = 0;
    const jobs: SweepJob[] = sizes.map((n, shard) => ({ kind: 'sweep', sweepId: sweepId!, shard, from, to: (from += n), toolVersion: TOOL_VERSION }));
    ids = await q.enqueue(jobs);
    await q.waitFor(async () => ({ done: await q.db((p) => countShards(p, sweepId!)), total: jobs.length }), ids.map((id, i) => ({ id, job: jobs[i] })));
    ids = [];
    const shards = await q.db((p) => loadShards(p, sweepId!));
    const result: SweepResult = { evaluated: 0, feasible: 0, invalid: 0, front: [], worst: [] };
    for (const s of shards) tallyChunk(result, s);
    result.front = mergeFronts(shards.map((s) => s.front));
    return result;
  } finally {
    clearInterval(heartbeat);
    await q.cancel(ids);
    if (sweepId !== undefined) await q.db((p) => deleteSweep(p, sweepId!)).catch(() => {});
    await q.close();
  }
}
