import type pg from 'pg';
import { ChipdseError } from '../errors.js';
import type { DesignDetail, ReferenceResult } from '../results/design-detail.js';
import { finiteJson } from '../results/finite.js';
import { encodePoint, isEncoded, metricsJsonOf, type PointResult } from '../results/point.js';
import type { GenerationStats, RunMeta, RunRow, RunWriter, SearchState } from '../results/run.js';
import { redactUrl } from './address.js';
import { ClaimKeeper, holderAlive, RunBusyError, thisHolder, type RunClaim } from './claims.js';
import { checkWriter, dropClaim, readClaim, renewClaim, takeClaim } from './postgres-claims.js';
import { connect, pgError } from './postgres-connect.js';
import { migrate } from './postgres-migrate.js';
import { PG_SCHEMA } from './postgres-schema.js';
import { toDetail, toPoint, toReference, toRunRow, toState, type Row } from './sqlite-rows.js';
import { resultPoints, type GenerationRecord, type RunStore } from './store.js';

const S = PG_SCHEMA;

/**
 * The PostgreSQL store of runs: the store for runs shared by processes on many machines
 * (distributed searches, `chipdse worker`). One connection per handle, and the SQLite store's
 * semantics: reads between two writes share one snapshot (a REPEATABLE READ READ ONLY transaction
 * opened by the first read and closed by the next write or by close); a generation is one
 * transaction. The handle runs one operation at a time on its connection, in call order.
 */
export class PgRunStore implements RunStore {
  private chain: Promise<unknown> = Promise.resolve();
  private inSnapshot = false;
  private closed = false;
  private readonly claims = new ClaimKeeper(async () => this.renewClaims());

  private constructor(
    private readonly client: pg.Client,
    private readonly url: string,
    readonly location: string,
    private readonly readOnly: boolean,
  ) {}

  /**
   * Connects, and creates or migrates the schema. `create: false`: the schema must exist (commands
   * that read runs or add to them); `readOnly`: only to read, every write is refused.
   */
  static async open(url: string, opts: { create?: boolean; readOnly?: boolean } = {}): Promise<PgRunStore> {
    const client = await connect(url);
    try {
      await migrate(client, redactUrl(url), opts.create !== false && !opts.readOnly);
    } catch (e) {
      await client.end().catch(() => {});
      throw pgError(url, e);
    }
    return new PgRunStore(client, url, redactUrl(url), Boolean(opts.readOnly));
  }

  /** Runs `fn` when every operation called before it has finished. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(() => {
      if (this.closed) throw new ChipdseError(`${this.location}: the store is closed`);
      return fn();
    });
    this.chain = next.catch(() => {});
    return next;
  }

  private q(text: string, values?: unknown[]): Promise<pg.QueryResult> {
    return this.client.query(text, values);
  }

  private read<T>(fn: () => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      try {
        if (!this.inSnapshot) {
          await this.q('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
          this.inSnapshot = true;
        }
        return await fn();
      } catch (e) {
        // A failed statement ends the transaction's usefulness: the next read starts a new snapshot.
        await this.endSnapshot('ROLLBACK').catch(() => {});
        throw pgError(this.url, e);
      }
    });
  }

  /** Ends the read snapshot, then runs `fn` in a transaction of its own. */
  private write<T>(fn: () => Promise<T>): Promise<T> {
    if (this.readOnly) return Promise.reject(new ChipdseError(`${this.location}: opened only for reading; cannot write`));
    return this.exclusive(async () => {
      try {
        await this.endSnapshot('COMMIT');
        await this.q('BEGIN');
      } catch (e) {
        throw pgError(this.url, e);
      }
      try {
        const r = await fn();
        await this.q('COMMIT');
        return r;
      } catch (e) {
        await this.q('ROLLBACK').catch(() => {});
        throw pgError(this.url, e);
      }
    });
  }

  private async endSnapshot(how: 'COMMIT' | 'ROLLBACK'): Promise<void> {
    if (!this.inSnapshot) return;
    this.inSnapshot = false;
    await this.q(how);
  }

  async close(): Promise<void> {
    this.claims.stop();
    if (this.closed) return;
    await this.exclusive(async () => {
      try {
        await this.endSnapshot('COMMIT');
        for (const [runId, token] of this.claims.tokens) await dropClaim(this.client, runId, token);
      } catch {
        // A lost connection leaves the claims behind; the next claimant sees their holder gone.
      }
    }).catch(() => {});
    this.claims.tokens.clear();
    this.closed = true;
    await this.client.end().catch(() => {});
  }

  async claimRun(runId: number, writer: RunWriter): Promise<void> {
    const token = await this.write(async () => {
      const t = await takeClaim(this.client, this.location, runId, this.claims.tokens.get(runId), writer);
      await this.q(`UPDATE ${S}.runs SET status = 'running', writer_pid = $1, writer_host = $2 WHERE id = $3`, [writer.pid, writer.host, runId]);
      return t;
    });
    this.claims.hold(runId, token);
  }

  async releaseRun(runId: number): Promise<void> {
    const token = this.claims.tokens.get(runId);
    if (token === undefined) return;
    await this.write(() => dropClaim(this.client, runId, token));
    this.claims.drop(runId);
  }

  async runClaim(runId: number): Promise<RunClaim | undefined> {
    return this.read(() => readClaim(this.client, runId));
  }

  /** Renews this handle's claims, unless it is inside a read snapshot (its next write renews them then). */
  private async renewClaims(): Promise<void> {
    if (this.inSnapshot || this.closed) return;
    await this.write(async () => {
      for (const [runId, token] of this.claims.tokens) await renewClaim(this.client, runId, token);
    });
  }

  async createRun(meta: RunMeta, startedAt: string, references?: ReferenceResult[]): Promise<number> {
    let runId: number;
    let token: string;
    try {
      ({ runId, token } = await this.write(async () => {
        const id = await this.insertRun(meta, startedAt, references);
        return { runId: id, token: await takeClaim(this.client, this.location, id, undefined, thisHolder()) };
      }));
    } catch (e) {
      if ((e as { code?: string }).code === '23505') throw await this.nameTaken(meta.name);
      throw e;
    }
    this.claims.hold(runId, token);
    return runId;
  }

  /** A run name already taken: by a run a live process is writing (named), or by one that can be resumed. */
  private async nameTaken(name: string): Promise<ChipdseError> {
    // Read like a write (no snapshot left open): as with SQLite, the next read sees the latest.
    const claim = await this.write(async () => {
      const { rows } = await this.q(`SELECT id FROM ${S}.runs WHERE name = $1`, [name]);
      return rows[0] && !this.claims.tokens.has(rows[0].id) ? readClaim(this.client, rows[0].id) : undefined;
    });
    if (claim && holderAlive(claim)) return new RunBusyError(this.location, name, claim);
    return new ChipdseError(`${this.location}: a run named "${name}" exists; give --resume to continue it or another --run`);
  }

  private async insertRun(meta: RunMeta, startedAt: string, references: ReferenceResult[] | undefined): Promise<number> {
    const values = [
      meta.name, meta.spaceName, meta.spaceJson, meta.parameters ? finiteJson(meta.parameters, 'parameters') : null, JSON.stringify(meta.workloads), JSON.stringify(meta.objectives), JSON.stringify(meta.constraints),
      meta.algorithm, meta.seed, meta.budget, meta.population, meta.reference ? finiteJson(meta.reference, 'reference') : null, meta.toolVersion, startedAt, references ? 1 : 0, meta.inputs ? finiteJson(meta.inputs, 'inputs') : null,
    ];
    const refs = (references ?? []).map((c) => [c.name, c.feasible ? 1 : 0, JSON.stringify(c.reasons), finiteJson(c.metrics, `reference chip ${c.name}`)] as const);
    const { rows } = await this.q(
      `INSERT INTO ${S}.runs (name, space_name, space_json, parameters_json, workloads_json, objectives_json, constraints_json, algorithm, seed, budget, population, reference_json, tool_version, status, started_at, reference_chips_stored, inputs_json)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'running', $14, $15, $16) RETURNING id`,
      values,
    );
    const runId = rows[0].id as number;
    for (const [i, r] of refs.entries()) await this.q(`INSERT INTO ${S}.reference_chips (run_id, seq, name, feasible, reasons_json, metrics_json) VALUES ($1, $2, $3, $4, $5, $6)`, [runId, i, ...r]);
    return runId;
  }

  async getRun(name: string): Promise<RunRow | undefined> {
    return this.read(async () => {
      const { rows } = await this.q(`SELECT * FROM ${S}.runs WHERE name = $1`, [name]);
      return rows[0] ? this.runRow(rows[0]) : undefined;
    });
  }

  async listRuns(): Promise<RunRow[]> {
    return this.read(async () => {
      const { rows } = await this.q(`SELECT * FROM ${S}.runs ORDER BY id`);
      const out: RunRow[] = [];
      for (const r of rows) out.push(await this.runRow(r));
      return out;
    });
  }

  private async runRow(r: Row): Promise<RunRow> {
    const { rows } = await this.q(`SELECT count(*)::int AS n, coalesce(max(generation) + 1, 0)::int AS g FROM ${S}.evaluations WHERE run_id = $1`, [r.id]);
    return toRunRow(this.location, r, rows[0]);
  }

  async saveGeneration(runId: number, p: GenerationRecord): Promise<void> {
    // Encoded and checked before the transaction: a refused value stores nothing.
    const rows = resultPoints(p.results).map((x) => {
      const r = isEncoded(x) ? x : encodePoint(x);
      if (!Number.isFinite(r.violation)) throw new ChipdseError(`refusing to store a non-finite number in the violation of design ${r.key}`);
      return { ...r, objectivesJson: finiteJson(r.objectives, 'objectives') };
    });
    const keys = new Set<string>();
    for (const r of rows) {
      if (keys.has(r.key)) throw new ChipdseError(`${this.location}: design ${r.key} is already stored in run ${runId}`);
      keys.add(r.key);
    }
    const stats = JSON.parse(finiteJson(p.stats, 'generation statistics')) as GenerationStats;
    const reference = p.reference ? finiteJson(p.reference, 'reference') : null;
    await this.write(async () => {
      await checkWriter(this.client, this.location, runId, this.claims.tokens.get(runId));
      // The rows as one JSON document (json_to_recordset): faster to send than arrays of escaped JSON text.
      const doc = JSON.stringify(rows.map((r, i) => ({ seq: p.firstSeq + i, genome: r.key, params: r.paramsJson, objectives: r.objectivesJson, metrics: metricsJsonOf(r), feasible: r.feasible ? 1 : 0, violation: r.violation, reasons: JSON.stringify(r.reasons) })));
      try {
        await this.q(
          `INSERT INTO ${S}.evaluations (run_id, seq, genome, generation, params_json, objectives_json, metrics_json, feasible, violation, reasons_json)
           SELECT $1, t.seq, t.genome, $2, t.params, t.objectives, t.metrics, t.feasible, t.violation, t.reasons
           FROM json_to_recordset($3::json) AS t(seq int, genome text, params text, objectives text, metrics text, feasible int, violation float8, reasons text)`,
          [runId, stats.generation, doc],
        );
      } catch (e) {
        // A caller's bug, but one the contract names: the generation is rolled back whole.
        const genome = /^Key \(run_id, genome\)=\(\d+, (.*)\) already exists/.exec(String((e as { detail?: string }).detail))?.[1];
        if (genome !== undefined) throw new ChipdseError(`${this.location}: design ${genome} is already stored in run ${runId}`);
        throw e;
      }
      await this.q(`INSERT INTO ${S}.generations (run_id, generation, evaluations, feasible_share, front_size, hypervolume) VALUES ($1, $2, $3, $4, $5, $6)`, [runId, stats.generation, stats.evaluations, stats.feasibleShare, stats.frontSize, stats.hypervolume]);
      await this.q(`DELETE FROM ${S}.pareto WHERE run_id = $1`, [runId]);
      await this.q(`INSERT INTO ${S}.pareto (run_id, genome) SELECT $1, unnest($2::text[])`, [runId, p.front]);
      if (reference) await this.q(`UPDATE ${S}.runs SET reference_json = $1 WHERE id = $2`, [reference, runId]);
      await this.q(
        `INSERT INTO ${S}.search_state (run_id, generation, algorithm_state_json, rng_state_json) VALUES ($1, $2, $3, $4)
         ON CONFLICT (run_id) DO UPDATE SET generation = excluded.generation, algorithm_state_json = excluded.algorithm_state_json, rng_state_json = excluded.rng_state_json`,
        [runId, stats.generation, JSON.stringify(p.state), JSON.stringify(p.rngState)],
      );
    });
  }

  /** Ends the run; a finished or stopped run has no writer, so this handle's claim on it is given up with it. */
  async finishRun(runId: number, status: 'done' | 'stopped', endedAt: string): Promise<void> {
    const mine = this.claims.tokens.get(runId);
    await this.write(async () => {
      await checkWriter(this.client, this.location, runId, mine);
      await this.q(`UPDATE ${S}.runs SET status = $1, ended_at = $2 WHERE id = $3`, [status, endedAt, runId]);
      if (mine !== undefined) await dropClaim(this.client, runId, mine);
    });
    this.claims.drop(runId);
  }

  async saveDetails(runId: number, details: DesignDetail[]): Promise<void> {
    const rows = details.map((d) => [d.genome, finiteJson(d.chip, `detail of ${d.genome}`), finiteJson(d.evaluations, `detail of ${d.genome}`)]);
    await this.write(async () => {
      await checkWriter(this.client, this.location, runId, this.claims.tokens.get(runId));
      for (const r of rows) {
        await this.q(`INSERT INTO ${S}.design_details (run_id, genome, chip_json, evaluations_json) VALUES ($1, $2, $3, $4) ON CONFLICT (run_id, genome) DO UPDATE SET chip_json = excluded.chip_json, evaluations_json = excluded.evaluations_json`, [runId, ...r]);
      }
    });
  }

  private async all(text: string, values: unknown[]): Promise<Row[]> {
    return (await this.q(text, values)).rows;
  }

  async loadEvaluations(runId: number): Promise<PointResult[]> {
    return this.read(async () => (await this.all(`SELECT * FROM ${S}.evaluations WHERE run_id = $1 ORDER BY seq`, [runId])).map((r) => toPoint(this.location, r)));
  }

  async loadGenerationsByGenome(runId: number): Promise<Map<string, number>> {
    return this.read(async () => new Map((await this.all(`SELECT genome, generation FROM ${S}.evaluations WHERE run_id = $1`, [runId])).map((r) => [r.genome as string, r.generation as number])));
  }

  async loadFront(runId: number): Promise<PointResult[]> {
    return this.read(async () => (await this.all(`SELECT e.* FROM ${S}.evaluations e JOIN ${S}.pareto p ON p.run_id = e.run_id AND p.genome = e.genome WHERE e.run_id = $1 ORDER BY e.seq`, [runId])).map((r) => toPoint(this.location, r)));
  }

  async loadGenerations(runId: number): Promise<GenerationStats[]> {
    return this.read(async () =>
      (await this.all(`SELECT * FROM ${S}.generations WHERE run_id = $1 ORDER BY generation`, [runId])).map((r) => ({
        generation: r.generation as number,
        evaluations: r.evaluations as number,
        feasibleShare: r.feasible_share as number,
        frontSize: r.front_size as number,
        hypervolume: r.hypervolume as number,
      })),
    );
  }

  async loadState(runId: number): Promise<SearchState | undefined> {
    return this.read(async () => {
      const [r] = await this.all(`SELECT * FROM ${S}.search_state WHERE run_id = $1`, [runId]);
      if (!r) return undefined;
      return toState(this.location, r);
    });
  }

  async loadReferences(runId: number): Promise<ReferenceResult[] | undefined> {
    return this.read(async () => {
      const [run] = await this.all(`SELECT reference_chips_stored FROM ${S}.runs WHERE id = $1`, [runId]);
      if (!run?.reference_chips_stored) return undefined;
      return (await this.all(`SELECT * FROM ${S}.reference_chips WHERE run_id = $1 ORDER BY seq`, [runId])).map((r) => toReference(this.location, r));
    });
  }

  async loadDetails(runId: number): Promise<DesignDetail[]> {
    return this.read(async () => (await this.all(`SELECT * FROM ${S}.design_details WHERE run_id = $1 ORDER BY genome COLLATE "C"`, [runId])).map((r) => toDetail(this.location, r)));
  }
}
