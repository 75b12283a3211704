import { ChipdseError } from '../errors.js';
import type { DesignDetail, ReferenceResult } from '../results/design-detail.js';
import { finiteJson } from '../results/finite.js';
import { encodePoint, isEncoded, metricsJsonOf, type PointResult, type StoredPoint } from '../results/point.js';
import type { GenerationStats, RunMeta, RunRow, RunWriter, SearchState } from '../results/run.js';
import { claimBlocks, holderAlive, lostClaimError, newClaimToken, RunBusyError, thisHolder, type RunClaim } from './claims.js';
import { resultPoints, type GenerationRecord, type RunStore } from './store.js';

/**
 * Runs kept in this process's memory: the store for tests, and for programs that search without
 * a file. It stores what SQLite stores, encoded the same way (JSON, non-finite numbers refused),
 * so what comes back is a fresh copy, never the caller's objects.
 */

type RunFields = Omit<RunRow, 'evaluations' | 'generations'>;

interface StoredEvaluation {
  point: StoredPoint;
  generation: number;
}

/** One run. Evaluations and generations only grow; every other field is replaced whole on a write. */
interface RunRecord {
  fields: RunFields;
  evaluations: StoredEvaluation[];
  generations: GenerationStats[];
  front: readonly string[];
  stateJson: string | undefined;
  referencesJson: string | undefined;
  details: ReadonlyMap<string, string>;
}

/** A run as one reader saw it: the lengths of what only grows, and the other fields as they were. */
interface RunView extends Omit<RunRecord, 'evaluations' | 'generations'> {
  record: RunRecord;
  evaluationCount: number;
  generationCount: number;
}

interface StoredClaim extends Omit<RunClaim, 'heartbeatAgeSec'> {
  heartbeatMs: number;
}

/** The runs of one in-memory store, shared by its handles. */
class MemoryDatabase {
  runs: RunRecord[] = [];
  claims = new Map<number, StoredClaim>();

  claim(runId: number): RunClaim | undefined {
    const c = this.claims.get(runId);
    if (!c) return undefined;
    const { heartbeatMs, ...rest } = c;
    return { ...rest, heartbeatAgeSec: Math.max(0, (Date.now() - heartbeatMs) / 1000) };
  }

  snapshot(): RunView[] {
    return this.runs.map((r) => ({ ...r, record: r, evaluationCount: r.evaluations.length, generationCount: r.generations.length }));
  }
}

/** Named databases, so that several handles (`memory:NAME`) can share one, as processes share a file. */
const NAMED = new Map<string, MemoryDatabase>();

export class MemoryRunStore implements RunStore {
  private readonly data: MemoryDatabase;
  /** What this handle's reads see until its next write (one moment, as with SQLite). */
  private view: RunView[] | undefined;
  private closed = false;
  /** This handle's claims (run id -> token). Nothing to renew: every handle lives in this process. */
  private readonly tokens = new Map<number, string>();

  /** `name`: share the runs with every other handle opened with that name in this process. `readOnly`: every write is refused. */
  constructor(name?: string, private readonly opts: { readOnly?: boolean } = {}) {
    this.location = name === undefined ? 'memory:' : `memory:${name}`;
    if (name === undefined) this.data = new MemoryDatabase();
    else {
      const db = NAMED.get(name) ?? new MemoryDatabase();
      NAMED.set(name, db);
      this.data = db;
    }
  }

  readonly location: string;

  /** Forgets a named database (its handles keep what they hold). */
  static drop(name: string): void {
    NAMED.delete(name);
  }

  private runs(): RunView[] {
    if (this.closed) throw new ChipdseError(`${this.location}: the store is closed`);
    this.view ??= this.data.snapshot();
    return this.view;
  }

  private run(runId: number): RunView | undefined {
    return this.runs().find((r) => r.fields.id === runId);
  }

  private checkWritable(): void {
    if (this.closed) throw new ChipdseError(`${this.location}: the store is closed`);
    if (this.opts.readOnly) throw new ChipdseError(`${this.location}: opened only for reading; cannot write`);
  }

  /** A write: the next read starts a new snapshot. */
  private record(runId: number): RunRecord {
    this.checkWritable();
    this.view = undefined;
    const r = this.data.runs.find((x) => x.fields.id === runId);
    if (!r) throw new ChipdseError(`${this.location}: no run with id ${runId}`);
    return r;
  }

  private row(v: RunView): RunRow {
    const evaluations = v.record.evaluations.slice(0, v.evaluationCount);
    const generations = evaluations.reduce((g, e) => Math.max(g, e.generation + 1), 0);
    return { ...structuredClone(v.fields), evaluations: evaluations.length, generations };
  }

  async createRun(meta: RunMeta, startedAt: string, references?: ReferenceResult[]): Promise<number> {
    this.checkWritable();
    this.view = undefined;
    const taken = this.data.runs.find((r) => r.fields.name === meta.name);
    if (taken) {
      const claim = this.data.claim(taken.fields.id);
      if (claim && !this.tokens.has(taken.fields.id) && holderAlive(claim)) throw new RunBusyError(this.location, meta.name, claim);
      throw new ChipdseError(`${this.location}: a run named "${meta.name}" exists; give --resume to continue it or another --run`);
    }
    // Encoded first, so a refused value leaves nothing behind.
    const referencesJson = references && finiteJson(references, 'reference chips');
    const inputs = meta.inputs ? JSON.parse(finiteJson(meta.inputs, 'inputs')) : null;
    const fields = { ...(JSON.parse(JSON.stringify({ ...meta, reference: meta.reference && JSON.parse(finiteJson(meta.reference, 'reference')), parameters: meta.parameters && JSON.parse(finiteJson(meta.parameters, 'parameters')) })) as RunMeta), inputs };
    const id = this.data.runs.length + 1;
    this.take(id, thisHolder());
    this.data.runs.push({ fields: { ...fields, id, status: 'running', writer: null, startedAt, endedAt: null }, evaluations: [], generations: [], front: [], stateJson: undefined, referencesJson, details: new Map() });
    return id;
  }

  async getRun(name: string): Promise<RunRow | undefined> {
    const v = this.runs().find((r) => r.fields.name === name);
    return v && this.row(v);
  }

  async listRuns(): Promise<RunRow[]> {
    return this.runs().map((v) => this.row(v));
  }

  /** Takes a run's claim for this handle, for `holder`; a RunBusyError while another live handle holds it. */
  private take(runId: number, holder: RunWriter): void {
    const stored = this.data.claim(runId);
    if (claimBlocks(stored, this.tokens.get(runId))) throw new RunBusyError(this.location, this.nameOf(runId), stored!);
    const token = newClaimToken();
    this.data.claims.set(runId, { pid: holder.pid, host: holder.host, token, since: new Date().toISOString(), heartbeatMs: Date.now() });
    this.tokens.set(runId, token);
  }

  private nameOf(runId: number): string {
    return this.data.runs.find((r) => r.fields.id === runId)?.fields.name ?? `#${runId}`;
  }

  /** Before a write: refused while another live handle holds the run. */
  private checkWriter(runId: number): void {
    const stored = this.data.claim(runId);
    const mine = this.tokens.get(runId);
    if (claimBlocks(stored, mine)) throw mine === undefined ? new RunBusyError(this.location, this.nameOf(runId), stored!) : lostClaimError(this.location, this.nameOf(runId), stored!);
  }

  async claimRun(runId: number, writer: RunWriter): Promise<void> {
    const r = this.record(runId);
    this.take(runId, writer);
    r.fields = { ...r.fields, status: 'running', writer: { ...writer } };
  }

  async releaseRun(runId: number): Promise<void> {
    const token = this.tokens.get(runId);
    if (token !== undefined && this.data.claims.get(runId)?.token === token) this.data.claims.delete(runId);
    this.tokens.delete(runId);
  }

  async runClaim(runId: number): Promise<RunClaim | undefined> {
    if (this.closed) throw new ChipdseError(`${this.location}: the store is closed`);
    return this.data.claim(runId);
  }

  async saveGeneration(runId: number, p: GenerationRecord): Promise<void> {
    const r = this.record(runId);
    this.checkWriter(runId);
    // Everything is encoded and checked before the first change: a generation is stored whole or not at all.
    const points = resultPoints(p.results).map((x) => {
      const given = isEncoded(x) ? x : encodePoint(x);
      const e = given.metricsPacked ? { ...given, metricsJson: metricsJsonOf(given), metricsPacked: undefined } : given;
      if (!Number.isFinite(e.violation)) throw new ChipdseError(`refusing to store a non-finite number in the violation of design ${e.key}`);
      return { point: { ...e, genome: [...e.genome], reasons: [...e.reasons], objectives: JSON.parse(finiteJson(e.objectives, 'objectives')) }, generation: p.stats.generation };
    });
    const seen = new Set(r.evaluations.map((e) => e.point.key));
    for (const [i, e] of points.entries()) {
      if (seen.has(e.point.key)) throw new ChipdseError(`${this.location}: design ${e.point.key} is already stored in run ${runId}`);
      if (p.firstSeq + i !== r.evaluations.length + i) throw new ChipdseError(`${this.location}: evaluation ${p.firstSeq + i} out of sequence (the run holds ${r.evaluations.length})`);
      seen.add(e.point.key);
    }
    if (r.generations.some((g) => g.generation === p.stats.generation)) throw new ChipdseError(`${this.location}: generation ${p.stats.generation} is already stored`);
    const stats = JSON.parse(finiteJson(p.stats, 'generation statistics')) as GenerationStats;
    const reference = p.reference && (JSON.parse(finiteJson(p.reference, 'reference')) as number[]);
    const stateJson = JSON.stringify({ generation: p.stats.generation, state: p.state, rngState: p.rngState });
    r.evaluations.push(...points);
    r.generations.push(stats);
    r.front = [...p.front];
    if (reference) r.fields = { ...r.fields, reference };
    r.stateJson = stateJson;
  }

  /** Ends the run; a finished or stopped run has no writer, so this handle's claim on it is given up with it. */
  async finishRun(runId: number, status: 'done' | 'stopped', endedAt: string): Promise<void> {
    const r = this.record(runId);
    this.checkWriter(runId);
    r.fields = { ...r.fields, status, endedAt };
    await this.releaseRun(runId);
  }

  async saveDetails(runId: number, details: DesignDetail[]): Promise<void> {
    const r = this.record(runId);
    this.checkWriter(runId);
    const next = new Map(r.details);
    for (const d of details) next.set(d.genome, finiteJson(d, `detail of ${d.genome}`));
    r.details = next;
  }

  async loadEvaluations(runId: number): Promise<PointResult[]> {
    const v = this.run(runId);
    return v ? v.record.evaluations.slice(0, v.evaluationCount).map((e) => decode(e.point)) : [];
  }

  async loadGenerationsByGenome(runId: number): Promise<Map<string, number>> {
    const v = this.run(runId);
    return new Map(v ? v.record.evaluations.slice(0, v.evaluationCount).map((e) => [e.point.key, e.generation]) : []);
  }

  async loadFront(runId: number): Promise<PointResult[]> {
    const v = this.run(runId);
    if (!v) return [];
    const keys = new Set(v.front);
    return v.record.evaluations.slice(0, v.evaluationCount).filter((e) => keys.has(e.point.key)).map((e) => decode(e.point));
  }

  async loadGenerations(runId: number): Promise<GenerationStats[]> {
    const v = this.run(runId);
    return v ? v.record.generations.slice(0, v.generationCount).map((g) => ({ ...g })) : [];
  }

  async loadState(runId: number): Promise<SearchState | undefined> {
    const v = this.run(runId);
    return v?.stateJson === undefined ? undefined : JSON.parse(v.stateJson);
  }

  async loadReferences(runId: number): Promise<ReferenceResult[] | undefined> {
    const v = this.run(runId);
    return v?.referencesJson === undefined ? undefined : JSON.parse(v.referencesJson);
  }

  async loadDetails(runId: number): Promise<DesignDetail[]> {
    const v = this.run(runId);
    if (!v) return [];
    return [...v.details.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, json]) => JSON.parse(json));
  }

  async close(): Promise<void> {
    for (const runId of [...this.tokens.keys()]) await this.releaseRun(runId);
    this.closed = true;
    this.view = undefined;
  }
}

function decode(p: StoredPoint): PointResult {
  return {
    key: p.key,
    genome: [...p.genome],
    params: JSON.parse(p.paramsJson),
    feasible: p.feasible,
    violation: p.violation,
    reasons: [...p.reasons],
    objectives: [...p.objectives],
    metrics: p.metricsJson === null ? null : JSON.parse(p.metricsJson!),
  };
}
