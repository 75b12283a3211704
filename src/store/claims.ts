/**
 * One writer per run. A process that writes a run (a search, a resume, a batch, `chipdse detail`)
 * first claims it; a second process is refused in one line naming the holder (its process id and
 * host) for as long as the holder is alive. Alive means: on this host, its process is running; on
 * another host (a shared PostgreSQL server, a SQLite file on a shared disk), it renewed its claim
 * within the lease. A holder that died leaves its claim behind, and the next claim takes it over.
 * Every write checks the claim (fencing): a holder whose lease ran out while it was stalled, and
 * whose run another process took over, is refused at its next write instead of mixing rows in.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { ChipdseError } from '../errors.js';
import type { RunWriter } from '../results/run.js';

/** Who writes a run: a process on a host (the run's row shows it as its writer). */
export type RunHolder = RunWriter;

/** A claim as stored: its holder, when it was taken, and how long ago it was last renewed. */
export interface RunClaim extends RunHolder {
  token: string;
  /** ISO time the claim was taken. */
  since: string;
  heartbeatAgeSec: number;
}

/**
 * How long a claim of another host stays valid without renewal. A holder renews every
 * CLAIM_RENEW_MS while its event loop runs and at every write; a search evaluating in its own
 * thread renews between generations, so a generation longer than this lets a process on another
 * host take the run over (and fencing then stops the first at its next write).
 */
export const CLAIM_LEASE_SEC = 120;
export const CLAIM_RENEW_MS = 15_000;

export function thisHolder(): RunHolder {
  return { pid: process.pid, host: hostname() };
}

export const newClaimToken = (): string => randomUUID();

/** Whether process `pid` runs on this host (a process of another user counts: it exists). */
function processRuns(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether a claim's holder is alive: by its process on this host, by its lease on another. */
export function holderAlive(c: RunClaim): boolean {
  if (c.host === hostname()) return processRuns(c.pid);
  return c.heartbeatAgeSec < CLAIM_LEASE_SEC;
}

/** A run another live process writes. */
export class RunBusyError extends ChipdseError {
  constructor(
    location: string,
    runName: string,
    readonly claim: RunClaim,
  ) {
    const where = claim.host === hostname() ? `process ${claim.pid} on this host (${claim.host})` : `process ${claim.pid} on host ${claim.host}, last heard from ${Math.round(claim.heartbeatAgeSec)} s ago`;
    super(`${location}: run "${runName}" is being written by ${where} since ${claim.since}; a run has one writer at a time: wait for it to finish or stop it`);
    this.name = 'RunBusyError';
  }
}

/** A write by a handle whose claim another process has taken over. */
export function lostClaimError(location: string, runName: string, claim: RunClaim): ChipdseError {
  return new ChipdseError(`${location}: run "${runName}" was taken over by process ${claim.pid} on host ${claim.host} (this process stalled past its ${CLAIM_LEASE_SEC} s lease); nothing more is written by this one`);
}

/**
 * What a handle does about a run's stored claim before it writes: go ahead (no claim, its own, or
 * a dead holder's), or refuse (a live holder's). `mine`: the token this handle claimed it with.
 */
export function claimBlocks(stored: RunClaim | undefined, mine: string | undefined): boolean {
  return stored !== undefined && stored.token !== mine && holderAlive(stored);
}

/**
 * Renews a handle's claims every CLAIM_RENEW_MS while it holds any (the timer does not keep the
 * process alive). `renew` is the store's own renewal; a failure is left for the next write to report.
 */
export class ClaimKeeper {
  private timer: NodeJS.Timeout | undefined;
  readonly tokens = new Map<number, string>();

  constructor(private readonly renew: () => Promise<void>) {}

  hold(runId: number, token: string): void {
    this.tokens.set(runId, token);
    if (!this.timer) {
      this.timer = setInterval(() => void this.renew().catch(() => {}), CLAIM_RENEW_MS);
      this.timer.unref();
    }
  }

  drop(runId: number): void {
    this.tokens.delete(runId);
    if (this.tokens.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
