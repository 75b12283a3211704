import type Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import { ChipdseError } from '../errors.js';
import type { DesignDetail, ReferenceResult } from '../results/design-detail.js';
import { finiteJson } from '../results/finite.js';
import type { PointResult } from '../results/point.js';
import type { GenerationStats, RunMeta, RunRow, RunWriter, SearchState } from '../results/run.js';
import { ClaimKeeper, holderAlive, RunBusyError, thisHolder, type RunClaim } from './claims.js';
import { checkWriter, dropClaim, readClaim, renewClaim, takeClaim } from './sqlite-claims.js';
import { EvaluationRows } from './sqlite-evaluations.js';
import { openForReading, openForWriting, storeError } from './sqlite-open.js';
import { toDetail, toPoint, toReference, toRunRow, toState, type Row } from './sqlite-rows.js';
import type { GenerationRecord, RunStore } from './store.js';

/**
 * The SQLite store of runs. Reads between two writes share one snapshot (a read transaction opened
 * by the first read and closed by the next write or by close), so a reader such as `export` sees
 * evaluations, front and generations of the same moment while a search writes to the database.
 * Writes take the write lock at once (BEGIN IMMEDIATE), waiting up to 10 s for another writer; a
 * generation is one transaction. better-sqlite3 answers synchronously: each method has done its
 * work when it returns, and its promise only carries the answer.
 */
export class SqliteRunStore implements RunStore {
  readonly db: Database.Database;
  private inSnapshot = false;
  /** This handle's claims on runs (one writer per run), renewed while it holds them. */
  private readonly claims = new ClaimKeeper(async () => this.renewClaims());
  /** Writes evaluations as compact rows (metrics packed); reads their shapes. */
  private readonly rows: EvaluationRows;
  readonly packsMetrics = true;

  /**
   * `create: false` is for commands that only read or add to existing runs (runs, front, export,
   * chart, detail): a missing file is an error, not a new store. `readOnly`: for commands that
   * only read: the file is opened read-only (see openForReading) and every write is refused.
   */
  constructor(
    readonly location: string,
    readonly opts: { create?: boolean; readOnly?: boolean } = {},
  ) {
    const file = location;
    if ((opts.create === false || opts.readOnly) && file !== ':memory:' && !existsSync(file)) throw new ChipdseError(`${file}: no such database (a search creates it: chipdse search --db ${file})`);
    this.db = opts.readOnly ? openForReading(file) : openForWriting(file);
    this.rows = new EvaluationRows(this.db, file);
  }

  /** The database file (as given). */
  get file(): string {
    return this.location;
  }

  /** Runs a read inside the snapshot shared by all reads until the next write. */
  private read<T>(fn: () => T): T {
    try {
      if (!this.db.inTransaction) {
        this.db.exec('BEGIN');
        this.inSnapshot = true;
      }
      return fn();
    } catch (e) {
      throw storeError(this.file, e);
    }
  }

  /** Ends the read snapshot, then writes (a write must not start from a stale snapshot). */
  private write<T>(fn: () => T): T {
    if (this.opts.readOnly) throw new ChipdseError(`${this.file}: opened only for reading; cannot write`);
    try {
      this.endSnapshot();
      return fn();
    } catch (e) {
      throw storeError(this.file, e);
    }
  }

  private endSnapshot(): void {
    if (this.inSnapshot && this.db.inTransaction) this.db.exec('COMMIT');
    this.inSnapshot = false;
  }

  /**
   * Ends the read snapshot (a rollback: nothing was written in it) and closes the file. A failure
   * to end the snapshot (a damaged file answers SQLITE_CORRUPT even to that) is not reported: it
   * loses nothing, and close() runs in `finally` blocks where it would hide the error that matters.
   */
  async close(): Promise<void> {
    this.claims.stop();
    if (!this.db.open) return;
    try {
      if (this.inSnapshot && this.db.inTransaction) this.db.exec('ROLLBACK');
    } catch {
      // See above.
    }
    try {
      for (const [runId, token] of this.claims.tokens) dropClaim(this.db, runId, token);
    } catch {
      // A claim left behind names a holder that is gone: the next claimant takes it over.
    } finally {
      this.claims.tokens.clear();
      this.inSnapshot = false;
      this.db.close();
    }
  }

  async claimRun(runId: number, writer: RunWriter): Promise<void> {
    const token = this.write(() =>
      this.db
        .transaction(() => {
          const t = takeClaim(this.db, this.file, runId, this.claims.tokens.get(runId), writer);
          this.db.prepare("UPDATE runs SET status = 'running', writer_pid = ?, writer_host = ? WHERE id = ?").run(writer.pid, writer.host, runId);
          return t;
        })
        .immediate(),
    );
    this.claims.hold(runId, token);
  }

  async releaseRun(runId: number): Promise<void> {
    const token = this.claims.tokens.get(runId);
    if (token === undefined) return;
    this.write(() => dropClaim(this.db, runId, token));
    this.claims.drop(runId);
  }

  async runClaim(runId: number): Promise<RunClaim | undefined> {
    return this.read(() => readClaim(this.db, runId));
  }

  /** Renews this handle's claims, unless it is inside a read snapshot (its next write renews them then). */
  private renewClaims(): void {
    if (this.inSnapshot || !this.db.open) return;
    this.write(() => {
      for (const [runId, token] of this.claims.tokens) renewClaim(this.db, runId, token);
    });
  }

  async createRun(meta: RunMeta, startedAt: string, references?: ReferenceResult[]): Promise<number> {
    const { runId, token } = this.write(() => {
      try {
        return this.db
          .transaction(() => {
            const id = this.insertRun(meta, startedAt, references);
            return { runId: id, token: takeClaim(this.db, this.file, id, undefined, thisHolder()) };
          })
          .immediate();
      } catch (e) {
        if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw this.nameTaken(meta.name);
        throw e;
      }
    });
    this.claims.hold(runId, token);
    return runId;
  }

  /** A run name already taken: by a run a live process is writing (named), or by one that can be resumed. */
  private nameTaken(name: string): ChipdseError {
    const existing = this.db.prepare('SELECT id FROM runs WHERE name = ?').get(name) as { id: number } | undefined;
    const claim = existing && readClaim(this.db, existing.id);
    if (claim && !this.claims.tokens.has(existing!.id) && holderAlive(claim)) return new RunBusyError(this.file, name, claim);
    return new ChipdseError(`${this.file}: a run named "${name}" exists; give --resume to continue it or another --run`);
  }

  private insertRun(meta: RunMeta, startedAt: string, references: ReferenceResult[] | undefined): number {
    const r = this.db
      .prepare(
        `INSERT INTO runs (name, space_name, space_json, parameters_json, workloads_json, objectives_json, constraints_json, algorithm, seed, budget, population, reference_json, tool_version, status, started_at, reference_chips_stored, inputs_json)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?, ?)`,
      )
      .run(meta.name, meta.spaceName, meta.spaceJson, meta.parameters ? finiteJson(meta.parameters, 'parameters') : null, JSON.stringify(meta.workloads), JSON.stringify(meta.objectives), JSON.stringify(meta.constraints), meta.algorithm, meta.seed, meta.budget, meta.population, meta.reference ? finiteJson(meta.reference, 'reference') : null, meta.toolVersion, startedAt, references ? 1 : 0, meta.inputs ? finiteJson(meta.inputs, 'inputs') : null);
    const runId = Number(r.lastInsertRowid);
    const ins = this.db.prepare('INSERT INTO reference_chips (run_id, seq, name, feasible, reasons_json, metrics_json) VALUES (?, ?, ?, ?, ?, ?)');
    (references ?? []).forEach((c, i) => ins.run(runId, i, c.name, c.feasible ? 1 : 0, JSON.stringify(c.reasons), finiteJson(c.metrics, `reference chip ${c.name}`)));
    return runId;
  }

  async getRun(name: string): Promise<RunRow | undefined> {
    return this.read(() => {
      const r = this.db.prepare('SELECT * FROM runs WHERE name = ?').get(name) as Row | undefined;
      return r ? this.runRow(r) : undefined;
    });
  }

  async listRuns(): Promise<RunRow[]> {
    return this.read(() => (this.db.prepare('SELECT * FROM runs ORDER BY id').all() as Row[]).map((r) => this.runRow(r)));
  }

  private runRow(r: Row): RunRow {
    const counts = this.db.prepare('SELECT count(*) AS n, coalesce(max(generation) + 1, 0) AS g FROM evaluations WHERE run_id = ?').get(r.id) as { n: number; g: number };
    return toRunRow(this.file, r, counts);
  }

  async saveGeneration(runId: number, p: GenerationRecord): Promise<void> {
    // The statistics are checked before anything is written; each row's numbers before it is.
    finiteJson(p.stats, 'generation statistics');
    try {
      this.write(() => this.saveGenerationNow(runId, p));
    } catch (e) {
      this.rows.forget(runId);
      throw e;
    }
  }

  private saveGenerationNow(runId: number, p: GenerationRecord): void {
    this.db.transaction(() => {
      checkWriter(this.db, this.file, runId, this.claims.tokens.get(runId));
      this.rows.insert(runId, p.firstSeq, p.stats.generation, p.results);
      this.db
        .prepare('INSERT INTO generations (run_id, generation, evaluations, feasible_share, front_size, hypervolume) VALUES (?, ?, ?, ?, ?, ?)')
        .run(runId, p.stats.generation, p.stats.evaluations, p.stats.feasibleShare, p.stats.frontSize, p.stats.hypervolume);
      this.replaceFront(runId, p.front);
      if (p.reference) this.db.prepare('UPDATE runs SET reference_json = ? WHERE id = ?').run(finiteJson(p.reference, 'reference'), runId);
      this.db
        .prepare('INSERT INTO search_state (run_id, generation, algorithm_state_json, rng_state_json) VALUES (?, ?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET generation = excluded.generation, algorithm_state_json = excluded.algorithm_state_json, rng_state_json = excluded.rng_state_json')
        .run(runId, p.stats.generation, JSON.stringify(p.state), JSON.stringify(p.rngState));
    }).immediate();
  }

  /**
   * Makes the run's stored front `front`: only the designs that left it are deleted and only those
   * that joined it inserted (a front changes by a few designs a generation, and rewriting all of
   * it cost a stored exhaustive run a tenth of a design's insert; issue 17). Keys given twice are
   * inserted twice, and refused, as before.
   */
  private replaceFront(runId: number, front: string[]): void {
    const now = new Set(front);
    const ins = this.db.prepare('INSERT INTO pareto (run_id, genome) VALUES (?, ?)');
    if (now.size !== front.length) {
      this.db.prepare('DELETE FROM pareto WHERE run_id = ?').run(runId);
      for (const k of front) ins.run(runId, k);
      return;
    }
    const was = new Set((this.db.prepare('SELECT genome FROM pareto WHERE run_id = ?').pluck().all(runId) as string[]));
    const del = this.db.prepare('DELETE FROM pareto WHERE run_id = ? AND genome = ?');
    for (const k of was) if (!now.has(k)) del.run(runId, k);
    for (const k of front) if (!was.has(k)) ins.run(runId, k);
  }

  /** Ends the run; a finished or stopped run has no writer, so this handle's claim on it is given up with it. */
  async finishRun(runId: number, status: 'done' | 'stopped', endedAt: string): Promise<void> {
    const mine = this.claims.tokens.get(runId);
    this.write(() => this.db.transaction(() => {
      checkWriter(this.db, this.file, runId, mine);
      this.db.prepare('UPDATE runs SET status = ?, ended_at = ? WHERE id = ?').run(status, endedAt, runId);
      if (mine !== undefined) dropClaim(this.db, runId, mine);
    }).immediate());
    this.claims.drop(runId);
  }

  async saveDetails(runId: number, details: DesignDetail[]): Promise<void> {
    const ins = this.db.prepare('INSERT INTO design_details (run_id, genome, chip_json, evaluations_json) VALUES (?, ?, ?, ?) ON CONFLICT(run_id, genome) DO UPDATE SET chip_json = excluded.chip_json, evaluations_json = excluded.evaluations_json');
    this.write(() => this.db.transaction(() => {
      checkWriter(this.db, this.file, runId, this.claims.tokens.get(runId));
      for (const d of details) ins.run(runId, d.genome, finiteJson(d.chip, `detail of ${d.genome}`), finiteJson(d.evaluations, `detail of ${d.genome}`));
    }).immediate());
  }

  async loadEvaluations(runId: number): Promise<PointResult[]> {
    return this.read(() => {
      const shapes = this.rows.shapeTexts(runId);
      const reasons = this.rows.reasonTexts(runId);
      return (this.db.prepare('SELECT * FROM evaluations WHERE run_id = ? ORDER BY seq').all(runId) as Row[]).map((r) => toPoint(this.file, r, shapes, reasons));
    });
  }

  async loadGenerationsByGenome(runId: number): Promise<Map<string, number>> {
    return this.read(() => {
      const rows = this.db.prepare('SELECT genome, generation FROM evaluations WHERE run_id = ?').all(runId) as { genome: string; generation: number }[];
      return new Map(rows.map((r) => [r.genome, r.generation]));
    });
  }

  async loadFront(runId: number): Promise<PointResult[]> {
    return this.read(() => {
      const shapes = this.rows.shapeTexts(runId);
      const reasons = this.rows.reasonTexts(runId);
      return (this.db.prepare('SELECT e.* FROM evaluations e JOIN pareto p ON p.run_id = e.run_id AND p.genome = e.genome WHERE e.run_id = ? ORDER BY e.seq').all(runId) as Row[]).map((r) => toPoint(this.file, r, shapes, reasons));
    });
  }

  async loadGenerations(runId: number): Promise<GenerationStats[]> {
    return this.read(() =>
      (this.db.prepare('SELECT * FROM generations WHERE run_id = ? ORDER BY generation').all(runId) as Record<string, number>[]).map((r) => ({
        generation: r.generation,
        evaluations: r.evaluations,
        feasibleShare: r.feasible_share,
        frontSize: r.front_size,
        hypervolume: r.hypervolume,
      })),
    );
  }

  async loadState(runId: number): Promise<SearchState | undefined> {
    return this.read(() => {
      const r = this.db.prepare('SELECT * FROM search_state WHERE run_id = ?').get(runId) as Row | undefined;
      if (!r) return undefined;
      return toState(this.file, r);
    });
  }

  async loadReferences(runId: number): Promise<ReferenceResult[] | undefined> {
    return this.read(() => {
      const run = this.db.prepare('SELECT reference_chips_stored FROM runs WHERE id = ?').get(runId) as { reference_chips_stored: number } | undefined;
      if (!run?.reference_chips_stored) return undefined;
      return (this.db.prepare('SELECT * FROM reference_chips WHERE run_id = ? ORDER BY seq').all(runId) as Row[]).map((r) => toReference(this.file, r));
    });
  }

  async loadDetails(runId: number): Promise<DesignDetail[]> {
    return this.read(() => (this.db.prepare('SELECT * FROM design_details WHERE run_id = ? ORDER BY genome').all(runId) as Row[]).map((r) => toDetail(this.file, r)));
  }
}
