/** Waking a coordinator when workers stage results: LISTEN on the staging channel, with a poll as the fallback. */
import type pg from 'pg';
import { connect } from '../store/postgres-connect.js';
import { STAGED_CHANNEL } from './staging.js';

export class StagedWaiter {
  private wakeUp: (() => void) | undefined;
  /** A notification that came while nobody waited: the next wait returns at once. */
  private missed = false;

  private constructor(private readonly client: pg.Client) {
    client.on('notification', () => {
      if (this.wakeUp) this.wakeUp();
      else this.missed = true;
    });
  }

  static async open(url: string): Promise<StagedWaiter> {
    const client = await connect(url);
    await client.query(`LISTEN ${STAGED_CHANNEL}`);
    return new StagedWaiter(client);
  }

  /** Resolves at the next notification, or after `ms`. */
  wait(ms: number): Promise<void> {
    if (this.missed) {
      this.missed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = () => {
        this.wakeUp = undefined;
        done();
      };
    });
  }

  async close(): Promise<void> {
    this.wakeUp?.();
    await this.client.end().catch(() => {});
  }
}
