import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { ChipdseError } from '../errors.js';
import type { PointResult } from '../search/problem.js';
import type { AlgorithmState } from '../search/algorithms.js';
import { encodePoint, finiteJson, isEncoded, type StoredPoint } from './encode.js';

/** 'CHPD': marks a SQLite file as a chipdse store. */
export const APPLICATION_ID = 0x43485044;
/** Bumped with every schema change; `migrate` brings older stores forward, never recreates them. */
export const SCHEMA_VERSION = 1;

const MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE runs (
      id INTEGER PRIMARY KEY,
      name TEXT NOT NULL UNIQUE,
      space_name TEXT NOT NULL,
      space_json TEXT NOT NULL,
      workloads_json TEXT NOT NULL,
      objectives_json TEXT NOT NULL,
      constraints_json TEXT NOT NULL,
      algorithm TEXT NOT NULL,
      seed INTEGER NOT NULL,
      budget INTEGER NOT NULL,
      population INTEGER NOT NULL,
      reference_json TEXT,
      tool_version TEXT NOT NULL,
      status TEXT NOT NULL,
      started_at TEXT NOT NULL,
      ended_at TEXT
    );
    CREATE TABLE evaluations (
      run_id INTEGER NOT NULL REFERENCES runs(id),
      seq INTEGER NOT NULL,
      genome TEXT NOT NULL,
      generation INTEGER NOT NULL,
      params_json TEXT NOT NULL,
      objectives_json TEXT NOT NULL,
      metrics_json TEXT,
      feasible INTEGER NOT NULL,
      violation REAL NOT NULL,
      reasons_json TEXT NOT NULL,
      PRIMARY KEY (run_id, genome)
    );
    CREATE UNIQUE INDEX evaluations_seq ON evaluations(run_id, seq);
    CREATE TABLE pareto (
      run_id INTEGER NOT NULL REFERENCES runs(id),
      genome TEXT NOT NULL,
      PRIMARY KEY (run_id, genome)
    );
    CREATE TABLE generations (
      run_id INTEGER NOT NULL REFERENCES runs(id),
      generation INTEGER NOT NULL,
      evaluations INTEGER NOT NULL,
      feasible_share REAL NOT NULL,
      front_size INTEGER NOT NULL,
      hypervolume REAL NOT NULL,
      PRIMARY KEY (run_id, generation)
    );
    CREATE TABLE search_state (
      run_id INTEGER PRIMARY KEY REFERENCES runs(id),
      generation INTEGER NOT NULL,
      algorithm_state_json TEXT NOT NULL,
      rng_state_json TEXT NOT NULL
    );
  `,
};

export interface RunMeta {
  name: string;
  spaceName: string;
  spaceJson: string;
  workloads: string[];
  objectives: { metric: string; goal: 'min' | 'max' }[];
  constraints: string[];
  algorithm: string;
  seed: number;
  budget: number;
  population: number;
  reference: number[] | null;
  toolVersion: string;
}

export interface RunRow extends RunMeta {
  id: number;
  status: string;
  startedAt: string;
  endedAt: string | null;
  evaluations: number;
  generations: number;
}

export interface GenerationStats {
  generation: number;
  evaluations: number;
  feasibleShare: number;
  frontSize: number;
  hypervolume: number;
}

/** How long a command waits for another process's write to finish before it gives up. */
const BUSY_TIMEOUT_MS = 10_000;

/** SQLite failures a user can act on, as one line naming the file; anything else is rethrown. */
function storeError(file: string, e: unknown): unknown {
  const code = (e as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return e;
  const why = (e as Error).message;
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new ChipdseError(`${file}: the database stayed locked by another process for too long (${why}); try again`);
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) return new ChipdseError(`${file}: not a chipdse database, or a damaged one (${why})`);
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM')) return new ChipdseError(`${file}: cannot write the database (${why})`);
  if (code.startsWith('SQLITE_FULL') || code.startsWith('SQLITE_IOERR')) return new ChipdseError(`${file}: cannot write the database (${why}); nothing of the last generation was stored`);
  return e;
}

/**
 * The SQLite store of runs. Reads between two writes share one snapshot (a read transaction opened
 * by the first read and closed by the next write or by close), so a reader such as `export` sees
 * evaluations, front and generations of the same moment while a search writes to the database.
 * Writes take the write lock at once (BEGIN IMMEDIATE), waiting up to 10 s for another writer.
 */
export class RunStore {
  readonly db: Database.Database;
  private inSnapshot = false;

  /** `create: false` is for commands that only read (runs, front, export, chart): a missing file is an error, not a new store. */
  constructor(
    readonly file: string,
    opts: { create?: boolean } = {},
  ) {
    if (opts.create === false && file !== ':memory:' && !existsSync(file)) throw new ChipdseError(`${file}: no such database (a search creates it: chipdse search --db ${file})`);
    if (file !== ':memory:' && !existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true });
    try {
      this.db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
      this.db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
      this.db.pragma('foreign_keys = ON');
    } catch (e) {
      throw new ChipdseError(`${file}: cannot open as a SQLite database (${(e as Error).message})`);
    }
    this.migrate();
  }

  private migrate(): void {
    let appId: number;
    let version: number;
    let tables: number;
    try {
      // One read transaction, so the three answers are of one moment even while another process migrates the file.
      ({ appId, version, tables } = this.db.transaction(() => ({
        appId: this.db.pragma('application_id', { simple: true }) as number,
        version: this.db.pragma('user_version', { simple: true }) as number,
        tables: this.tableCount(),
      }))());
    } catch (e) {
      this.db.close();
      throw new ChipdseError(`${this.file}: not a chipdse database (${(e as Error).message})`);
    }
    try {
      this.checkVersion(appId, version, tables);
      // Only now, with the file known to be ours or empty: WAL lets readers run beside a writer.
      if (this.file !== ':memory:') this.enableWal();
    } catch (e) {
      this.db.close();
      throw storeError(this.file, e);
    }
    if (version >= SCHEMA_VERSION) return;
    try {
      // Under the write lock, from the version found there: another process may have created or
      // migrated the store since the first look (two searches started at once on a new file).
      this.db
        .transaction(() => {
          const now = this.db.pragma('user_version', { simple: true }) as number;
          this.checkVersion(this.db.pragma('application_id', { simple: true }) as number, now, this.tableCount());
          for (let v = now + 1; v <= SCHEMA_VERSION; v++) {
            this.db.exec(MIGRATIONS[v]);
            this.db.pragma(`application_id = ${APPLICATION_ID}`);
            this.db.pragma(`user_version = ${v}`);
          }
        })
        .immediate();
    } catch (e) {
      if (this.db.open) this.db.close();
      throw storeError(this.file, e);
    }
  }

  /**
   * Switches a new file to WAL. The switch needs the file to itself and SQLite answers "busy" at
   * once, without waiting, when another process opens the same new file at that moment: retry.
   */
  private enableWal(): void {
    const deadline = Date.now() + BUSY_TIMEOUT_MS;
    for (let attempt = 0; ; attempt++) {
      try {
        this.db.pragma('journal_mode = WAL');
        return;
      } catch (e) {
        const code = String((e as { code?: unknown }).code);
        if (!code.startsWith('SQLITE_BUSY') || Date.now() > deadline) throw e;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(50, 2 + attempt * 2));
      }
    }
  }

  private tableCount(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n;
  }

  /** Throws when the file is another program's database or a newer chipdse's (the caller closes it). */
  private checkVersion(appId: number, version: number, tables: number): void {
    if (appId !== APPLICATION_ID && (tables > 0 || version > 0)) throw new ChipdseError(`${this.file}: not a chipdse database (it has other tables); choose another file with --db`);
    if (version > SCHEMA_VERSION) throw new ChipdseError(`${this.file}: written by a newer chipdse (schema ${version}, this one reads up to ${SCHEMA_VERSION})`);
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

  close(): void {
    if (!this.db.open) return;
    try {
      this.endSnapshot();
    } finally {
      this.db.close();
    }
  }

  createRun(meta: RunMeta, startedAt: string): number {
    return this.write(() => {
      try {
        return this.insertRun(meta, startedAt);
      } catch (e) {
        if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new ChipdseError(`${this.file}: a run named "${meta.name}" exists; give --resume to continue it or another --run`);
        throw e;
      }
    });
  }

  private insertRun(meta: RunMeta, startedAt: string): number {
    const r = this.db
      .prepare(
        `INSERT INTO runs (name, space_name, space_json, workloads_json, objectives_json, constraints_json, algorithm, seed, budget, population, reference_json, tool_version, status, started_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?)`,
      )
      .run(meta.name, meta.spaceName, meta.spaceJson, JSON.stringify(meta.workloads), JSON.stringify(meta.objectives), JSON.stringify(meta.constraints), meta.algorithm, meta.seed, meta.budget, meta.population, meta.reference ? finiteJson(meta.reference, 'reference') : null, meta.toolVersion, startedAt);
    return Number(r.lastInsertRowid);
  }

  getRun(name: string): RunRow | undefined {
    return this.read(() => {
      const r = this.db.prepare('SELECT * FROM runs WHERE name = ?').get(name) as Record<string, unknown> | undefined;
      return r ? this.toRunRow(r) : undefined;
    });
  }

  listRuns(): RunRow[] {
    return this.read(() => (this.db.prepare('SELECT * FROM runs ORDER BY id').all() as Record<string, unknown>[]).map((r) => this.toRunRow(r)));
  }

  private toRunRow(r: Record<string, unknown>): RunRow {
    const id = r.id as number;
    const counts = this.db.prepare('SELECT count(*) AS n, coalesce(max(generation) + 1, 0) AS g FROM evaluations WHERE run_id = ?').get(id) as { n: number; g: number };
    return {
      id,
      name: r.name as string,
      spaceName: r.space_name as string,
      spaceJson: r.space_json as string,
      workloads: JSON.parse(r.workloads_json as string),
      objectives: JSON.parse(r.objectives_json as string),
      constraints: JSON.parse(r.constraints_json as string),
      algorithm: r.algorithm as string,
      seed: r.seed as number,
      budget: r.budget as number,
      population: r.population as number,
      reference: r.reference_json ? JSON.parse(r.reference_json as string) : null,
      toolVersion: r.tool_version as string,
      status: r.status as string,
      startedAt: r.started_at as string,
      endedAt: (r.ended_at as string | null) ?? null,
      evaluations: counts.n,
      generations: counts.g,
    };
  }

  /** One generation, atomically: its evaluations, statistics, the Pareto set, the reference and the search state. */
  saveGeneration(runId: number, p: { results: (PointResult | StoredPoint)[]; firstSeq: number; stats: GenerationStats; front: string[]; reference: number[] | null; state: AlgorithmState; rngState: object }): void {
    const insert = this.db.prepare(
      `INSERT INTO evaluations (run_id, seq, genome, generation, params_json, objectives_json, metrics_json, feasible, violation, reasons_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.write(() => this.db.transaction(() => {
      p.results.forEach((x, i) => {
        const r = isEncoded(x) ? x : encodePoint(x);
        insert.run(runId, p.firstSeq + i, r.key, p.stats.generation, r.paramsJson, finiteJson(r.objectives, 'objectives'), r.metricsJson, r.feasible ? 1 : 0, r.violation, JSON.stringify(r.reasons));
      });
      this.db
        .prepare('INSERT INTO generations (run_id, generation, evaluations, feasible_share, front_size, hypervolume) VALUES (?, ?, ?, ?, ?, ?)')
        .run(runId, p.stats.generation, p.stats.evaluations, p.stats.feasibleShare, p.stats.frontSize, p.stats.hypervolume);
      this.db.prepare('DELETE FROM pareto WHERE run_id = ?').run(runId);
      const ins = this.db.prepare('INSERT INTO pareto (run_id, genome) VALUES (?, ?)');
      for (const k of p.front) ins.run(runId, k);
      if (p.reference) this.db.prepare('UPDATE runs SET reference_json = ? WHERE id = ?').run(finiteJson(p.reference, 'reference'), runId);
      this.db
        .prepare('INSERT INTO search_state (run_id, generation, algorithm_state_json, rng_state_json) VALUES (?, ?, ?, ?) ON CONFLICT(run_id) DO UPDATE SET generation = excluded.generation, algorithm_state_json = excluded.algorithm_state_json, rng_state_json = excluded.rng_state_json')
        .run(runId, p.stats.generation, JSON.stringify(p.state), JSON.stringify(p.rngState));
    }).immediate());
  }

  finishRun(runId: number, status: 'done' | 'stopped', endedAt: string): void {
    this.write(() => this.db.prepare('UPDATE runs SET status = ?, ended_at = ? WHERE id = ?').run(status, endedAt, runId));
  }

  loadEvaluations(runId: number): PointResult[] {
    return this.read(() => (this.db.prepare('SELECT * FROM evaluations WHERE run_id = ? ORDER BY seq').all(runId) as Record<string, unknown>[]).map(toPoint));
  }

  loadGenerationsByGenome(runId: number): Map<string, number> {
    return this.read(() => {
      const rows = this.db.prepare('SELECT genome, generation FROM evaluations WHERE run_id = ?').all(runId) as { genome: string; generation: number }[];
      return new Map(rows.map((r) => [r.genome, r.generation]));
    });
  }

  loadFront(runId: number): PointResult[] {
    return this.read(() => (this.db.prepare('SELECT e.* FROM evaluations e JOIN pareto p ON p.run_id = e.run_id AND p.genome = e.genome WHERE e.run_id = ? ORDER BY e.seq').all(runId) as Record<string, unknown>[]).map(toPoint));
  }

  loadGenerations(runId: number): GenerationStats[] {
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

  loadState(runId: number): { generation: number; state: AlgorithmState; rngState: object } | undefined {
    return this.read(() => {
      const r = this.db.prepare('SELECT * FROM search_state WHERE run_id = ?').get(runId) as Record<string, unknown> | undefined;
      if (!r) return undefined;
      return { generation: r.generation as number, state: JSON.parse(r.algorithm_state_json as string), rngState: JSON.parse(r.rng_state_json as string) };
    });
  }
}

function toPoint(r: Record<string, unknown>): PointResult {
  const key = r.genome as string;
  return {
    key,
    genome: key.split('.').map(Number),
    params: JSON.parse(r.params_json as string),
    feasible: r.feasible === 1,
    violation: r.violation as number,
    reasons: JSON.parse(r.reasons_json as string),
    objectives: JSON.parse(r.objectives_json as string),
    metrics: r.metrics_json ? JSON.parse(r.metrics_json as string) : null,
  };
}
