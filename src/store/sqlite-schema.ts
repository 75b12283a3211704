/** The SQLite store's schema, as the migrations that build it: version n is MIGRATIONS[1..n]. */

/** 'CHPD': marks a SQLite file as a chipdse store. */
export const APPLICATION_ID = 0x43485044;
/** Bumped with every schema change; the store brings older files forward, never recreates them. */
export const SCHEMA_VERSION = 6;

export const MIGRATIONS: Record<number, string> = {
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
  // What charts draw without running the model or parsing the space again: the space's
  // parameter axes, the reference chips evaluated when a run is created, and the full evaluation
  // (phases and steps) of designs of its front. Runs stored before have none of them
  // (parameters_json NULL, reference_chips_stored 0).
  2: `
    ALTER TABLE runs ADD COLUMN parameters_json TEXT;
    ALTER TABLE runs ADD COLUMN reference_chips_stored INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE reference_chips (
      run_id INTEGER NOT NULL REFERENCES runs(id),
      seq INTEGER NOT NULL,
      name TEXT NOT NULL,
      feasible INTEGER NOT NULL,
      reasons_json TEXT NOT NULL,
      metrics_json TEXT NOT NULL,
      PRIMARY KEY (run_id, seq)
    );
    CREATE TABLE design_details (
      run_id INTEGER NOT NULL REFERENCES runs(id),
      genome TEXT NOT NULL,
      chip_json TEXT NOT NULL,
      evaluations_json TEXT NOT NULL,
      PRIMARY KEY (run_id, genome)
    );
  `,
  // The process writing a run (pid and host), so a run left "running" by a killed process can be
  // told from one still running. Runs stored before have none (NULL).
  3: `
    ALTER TABLE runs ADD COLUMN writer_pid INTEGER;
    ALTER TABLE runs ADD COLUMN writer_host TEXT;
  `,
  // Self-contained runs and one writer per run: the workloads by content (with where they were
  // read from), and the claim of the process that writes the run now (checked before every
  // write). Runs stored before have inputs_json NULL.
  4: `
    ALTER TABLE runs ADD COLUMN inputs_json TEXT;
    CREATE TABLE run_writers (
      run_id INTEGER PRIMARY KEY REFERENCES runs(id),
      token TEXT NOT NULL,
      pid INTEGER NOT NULL,
      host TEXT NOT NULL,
      since TEXT NOT NULL,
      heartbeat_ms INTEGER NOT NULL
    );
  `,
  // Compact rows (issue 17): a design's metrics packed (src/results/packed-metrics.ts) as float64
  // numbers plus the other values, against a shape (keys and kinds) stored once per run and
  // shape. metrics_json is NULL in such a row. Rows stored before keep their JSON, and are read
  // as they were.
  5: `
    ALTER TABLE evaluations ADD COLUMN metrics_shape INTEGER;
    ALTER TABLE evaluations ADD COLUMN metrics_packed BLOB;
    CREATE TABLE metric_shapes (
      run_id INTEGER NOT NULL REFERENCES runs(id),
      id INTEGER NOT NULL,
      shape_json TEXT NOT NULL,
      PRIMARY KEY (run_id, id)
    );
  `,
  // Compact objectives and reasons (issue 17). evaluations.objectives_json may hold the
  // objectives as a blob of float64 little-endian numbers (src/store/sqlite-objectives.ts) instead
  // of JSON text: formatting two numbers as text cost a stored run more than binding all its other
  // cells. evaluations.reasons_json may hold a 4-byte blob, the id (uint32 little-endian) of a
  // reason list stored once per run in reason_lists: the designs of a run fail for few distinct
  // lists, and their text was a fifth of a row. Rows stored before keep their text, read as before.
  6: `
    CREATE TABLE reason_lists (
      run_id INTEGER NOT NULL REFERENCES runs(id),
      id INTEGER NOT NULL,
      reasons_json TEXT NOT NULL,
      PRIMARY KEY (run_id, id)
    );
  `,
};
