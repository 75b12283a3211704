/**
 * The evaluations of a generation, written to the SQLite store as compact rows: metrics packed
 * (src/results/packed-metrics.ts) against shapes stored once per run (table metric_shapes), and
 * many rows per INSERT statement.
 */
import type Database from 'better-sqlite3';
import { ChipdseError } from '../errors.js';
import { packMetrics, type PackedMetrics } from '../results/packed-metrics.js';
import { encodePoint, isEncoded, type PointResult, type StoredPoint } from '../results/point.js';
import { StoredColumns, type StoredBatch } from '../results/stored-columns.js';
import { endianness } from 'node:os';
import { ObjectiveBlobs } from './sqlite-objectives.js';

const COLUMNS = 12;
const ROW = `(${new Array(COLUMNS).fill('?').join(', ')})`;
/**
 * Rows per INSERT statement. One statement per row costs each row a call into SQLite and a
 * statement step; 64 rows a statement took 4.9 us of CPU a row against 6.0 us one by one,
 * measured while building this (50 generations of 2,048 packed rows of bench/spaces/scale-1e6.json
 * designs into a fresh file; the whole run's figures are in BENCHMARKS.md, "Stored exhaustive
 * runs at scale"), and 64 x 12 parameters stay far below SQLite's limit of 32,766.
 */
const ROWS_PER_STATEMENT = 64;

const insertSql = (rows: number) =>
  `INSERT INTO evaluations (run_id, seq, genome, generation, params_json, objectives_json, metrics_json, feasible, violation, reasons_json, metrics_shape, metrics_packed) VALUES ${new Array(rows).fill(ROW).join(', ')}`;

/** Reason lists a run stores by id at most; later new lists are written as JSON in their rows. */
export const REASON_LISTS_KEPT = 65536;

/** A reason list's id as its rows hold it: uint32 little-endian. */
function reasonId(id: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, id, true);
  return b;
}

const LITTLE_ENDIAN = endianness() === 'LE';

/** A batch's objectives as the bytes of its rows' blobs: checked finite and -0 written as 0 (as ObjectiveBlobs does), in place. */
function objectiveBytes(b: StoredBatch): Uint8Array {
  const o = b.objectives;
  for (let i = 0; i < o.length; i++) {
    const v = o[i];
    if (!Number.isFinite(v)) throw new ChipdseError('refusing to store a non-finite number in objectives');
    if (v === 0) o[i] = 0;
  }
  return new Uint8Array(o.buffer, o.byteOffset, o.byteLength);
}

export class EvaluationRows {
  private statements: { many: Database.Statement; one: Database.Statement } | undefined;
  /** Per run, its metric shapes' ids by shape text: read from the file at a run's first write, and forgotten when a write fails. */
  private readonly shapes = new Map<number, Map<string, number>>();
  /** Per run, the ids of its reason lists (as 4-byte blobs) by their JSON; kept and forgotten as `shapes`. */
  private readonly reasons = new Map<number, Map<string, Uint8Array>>();
  /** The objectives of the rows of the statement being filled (schema 6: float64 blobs). */
  private readonly objectives = new ObjectiveBlobs(ROWS_PER_STATEMENT);

  constructor(
    private readonly db: Database.Database,
    private readonly file: string,
  ) {}

  /** Drops what this handle knows of a run's shapes (a failed write may have rolled back shapes it added). */
  forget(runId: number): void {
    this.shapes.delete(runId);
    this.reasons.delete(runId);
  }

  /** The JSON of each reason list of a run, by id (for reading rows whose reasons_json is an id). */
  reasonTexts(runId: number): Map<number, string> {
    const rows = this.db.prepare('SELECT id, reasons_json FROM reason_lists WHERE run_id = ?').all(runId) as { id: number; reasons_json: string }[];
    return new Map(rows.map((r) => [r.id, r.reasons_json]));
  }

  /**
   * A row's reasons_json cell: the list's JSON when empty, else its id in reason_lists (added
   * when new), or the JSON again once the run has REASON_LISTS_KEPT lists (a space whose reasons
   * all differ stays bounded in memory and table).
   */
  private reasonCell(runId: number, json: string): string | Uint8Array {
    if (json === '[]') return json;
    let known = this.reasons.get(runId);
    if (!known) {
      known = new Map([...this.reasonTexts(runId)].map(([id, text]) => [text, reasonId(id)]));
      this.reasons.set(runId, known);
    }
    let id = known.get(json);
    if (id === undefined) {
      if (known.size >= REASON_LISTS_KEPT) return json;
      this.db.prepare('INSERT INTO reason_lists (run_id, id, reasons_json) VALUES (?, ?, ?)').run(runId, known.size, json);
      id = reasonId(known.size);
      known.set(json, id);
    }
    return id;
  }

  /** The text of each shape of a run, by id (for reading its packed rows). */
  shapeTexts(runId: number): Map<number, string> {
    const rows = this.db.prepare('SELECT id, shape_json FROM metric_shapes WHERE run_id = ?').all(runId) as { id: number; shape_json: string }[];
    return new Map(rows.map((r) => [r.id, r.shape_json]));
  }

  private shapeId(runId: number, shape: string): number {
    let known = this.shapes.get(runId);
    if (!known) {
      known = new Map([...this.shapeTexts(runId)].map(([id, text]) => [text, id]));
      this.shapes.set(runId, known);
    }
    let id = known.get(shape);
    if (id === undefined) {
      id = known.size;
      this.db.prepare('INSERT INTO metric_shapes (run_id, id, shape_json) VALUES (?, ?, ?)').run(runId, id, shape);
      known.set(shape, id);
    }
    return id;
  }

  /** Writes the row's values, in COLUMNS order, into `to` from `at` (row `slot` of the statement); numbers checked first. */
  private putRow(to: unknown[], at: number, slot: number, runId: number, seq: number, generation: number, x: PointResult | StoredPoint): void {
    const r = isEncoded(x) ? x : encodePoint(x, 'packed');
    if (!Number.isFinite(r.violation)) throw new ChipdseError(`refusing to store a non-finite number in the violation of design ${r.key}`);
    // Points that come as JSON (from the job queue of a distributed run) are packed here: every row of the file is alike.
    const packed: PackedMetrics | undefined = r.metricsPacked ?? (typeof r.metricsJson === 'string' ? packMetrics(JSON.parse(r.metricsJson) as object) : undefined);
    const objectives = this.objectives.put(slot, r.objectives);
    const shape = packed ? this.shapeId(runId, packed.shape.text) : null;
    // better-sqlite3 binds any Uint8Array as a blob (what structured cloning makes of a Buffer).
    const data = packed ? packed.data : null;
    to[at] = runId;
    to[at + 1] = seq;
    to[at + 2] = r.key;
    to[at + 3] = generation;
    to[at + 4] = r.paramsJson;
    to[at + 5] = objectives;
    to[at + 6] = null;
    to[at + 7] = r.feasible ? 1 : 0;
    to[at + 8] = r.violation;
    to[at + 9] = this.reasonCell(runId, r.reasonsJson ?? JSON.stringify(r.reasons));
    to[at + 10] = shape;
    to[at + 11] = data;
  }

  /** Inserts a generation's evaluations; call inside the generation's transaction. */
  insert(runId: number, firstSeq: number, generation: number, results: (PointResult | StoredPoint)[] | StoredColumns): void {
    if (results instanceof StoredColumns && LITTLE_ENDIAN) return this.insertColumns(runId, firstSeq, generation, results);
    const points = results instanceof StoredColumns ? results.points() : results;
    this.statements ??= { many: this.db.prepare(insertSql(ROWS_PER_STATEMENT)), one: this.db.prepare(insertSql(1)) };
    const { many, one } = this.statements;
    const batch = new Array<unknown>(ROWS_PER_STATEMENT * COLUMNS);
    let rows = 0;
    points.forEach((x, i) => {
      this.putRow(batch, rows * COLUMNS, rows, runId, firstSeq + i, generation, x);
      rows++;
      if (rows === ROWS_PER_STATEMENT) {
        this.run(many, batch, runId);
        rows = 0;
      }
    });
    for (let k = 0; k < rows; k++) this.run(one, batch.slice(k * COLUMNS, (k + 1) * COLUMNS), runId);
  }

  /**
   * The same rows written straight from the columns the workers built (no object per design):
   * the same cells, the same checks. Objectives are bound as views of the batch's float64 column,
   * which is little-endian on this machine (insert takes the other path where it is not).
   */
  private insertColumns(runId: number, firstSeq: number, generation: number, c: StoredColumns): void {
    this.statements ??= { many: this.db.prepare(insertSql(ROWS_PER_STATEMENT)), one: this.db.prepare(insertSql(1)) };
    const { many, one } = this.statements;
    const batch = new Array<unknown>(ROWS_PER_STATEMENT * COLUMNS);
    let rows = 0;
    let seq = firstSeq;
    for (const { batch: b } of c.parts) {
      const objectives = objectiveBytes(b);
      const reasons = b.reasonTexts.map((json) => this.reasonCell(runId, json));
      const shapes = b.shapeTexts.map((text) => this.shapeId(runId, text));
      const size = b.width * 8;
      for (let i = 0; i < b.keys.length; i++) {
        const violation = b.violation[i];
        if (!Number.isFinite(violation)) throw new ChipdseError(`refusing to store a non-finite number in the violation of design ${b.keys[i]}`);
        const s = b.shapeIndex[i];
        const at = rows * COLUMNS;
        batch[at] = runId;
        batch[at + 1] = seq++;
        batch[at + 2] = b.keys[i];
        batch[at + 3] = generation;
        batch[at + 4] = b.params[i];
        batch[at + 5] = objectives.subarray(i * size, (i + 1) * size);
        batch[at + 6] = null;
        batch[at + 7] = b.feasible[i];
        batch[at + 8] = violation;
        batch[at + 9] = reasons[b.reasonIndex[i]];
        batch[at + 10] = s < 0 ? null : shapes[s];
        batch[at + 11] = s < 0 ? null : b.data.subarray(b.offsets[2 * i], b.offsets[2 * i + 1]);
        if (++rows === ROWS_PER_STATEMENT) {
          this.run(many, batch, runId);
          rows = 0;
        }
      }
    }
    for (let k = 0; k < rows; k++) this.run(one, batch.slice(k * COLUMNS, (k + 1) * COLUMNS), runId);
  }

  private run(statement: Database.Statement, values: unknown[], runId: number): void {
    try {
      statement.run(values);
    } catch (e) {
      // A caller's bug, but one the contract names: the generation is rolled back whole.
      if ((e as { code?: string }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw e;
      const has = this.db.prepare('SELECT 1 FROM evaluations WHERE run_id = ? AND genome = ?');
      const seen = new Set<string>();
      for (let k = 2; k < values.length && values[k] !== undefined; k += COLUMNS) {
        const key = values[k] as string;
        if (seen.has(key) || has.get(runId, key)) throw new ChipdseError(`${this.file}: design ${key} is already stored in run ${runId}`);
        seen.add(key);
      }
      throw e;
    }
  }
}
