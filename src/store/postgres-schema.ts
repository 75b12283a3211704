/**
 * The PostgreSQL store's schema, as the migrations that build it: version n is PG_MIGRATIONS[1..n].
 * Everything lives in the schema `chipdse` of the database the URL names (the job queue's own
 * tables in `chipdse_queue`), so chipdse can share a database with other programs. The run tables
 * have the SQLite store's columns (`sqlite-schema.ts`), so rows read back through the same code;
 * text columns hold the same JSON text, never jsonb, which would reorder keys and break
 * byte-identical exports.
 */

export const PG_SCHEMA = 'chipdse';
/** Bumped with every schema change; the store brings older databases forward, never recreates them. */
export const PG_SCHEMA_VERSION = 1;
/** Held (transaction-scoped) while a schema is created or migrated: two processes starting at once take turns. */
export const MIGRATION_LOCK = `hashtextextended('${PG_SCHEMA}.schema', 0)`;

export const PG_MIGRATIONS: Record<number, string> = {
  1: `
    CREATE TABLE ${PG_SCHEMA}.runs (
      id serial PRIMARY KEY,
      name text NOT NULL UNIQUE,
      space_name text NOT NULL,
      space_json text NOT NULL,
      parameters_json text,
      workloads_json text NOT NULL,
      objectives_json text NOT NULL,
      constraints_json text NOT NULL,
      algorithm text NOT NULL,
      seed bigint NOT NULL,
      budget bigint NOT NULL,
      population bigint NOT NULL,
      reference_json text,
      tool_version text NOT NULL,
      status text NOT NULL,
      started_at text NOT NULL,
      ended_at text,
      reference_chips_stored integer NOT NULL DEFAULT 0,
      writer_pid integer,
      writer_host text,
      inputs_json text
    );
    CREATE TABLE ${PG_SCHEMA}.evaluations (
      run_id integer NOT NULL REFERENCES ${PG_SCHEMA}.runs(id),
      seq integer NOT NULL,
      genome text NOT NULL,
      generation integer NOT NULL,
      params_json text NOT NULL,
      objectives_json text NOT NULL,
      metrics_json text,
      feasible integer NOT NULL,
      violation double precision NOT NULL,
      reasons_json text NOT NULL,
      PRIMARY KEY (run_id, genome),
      UNIQUE (run_id, seq)
    );
    CREATE TABLE ${PG_SCHEMA}.pareto (
      run_id integer NOT NULL REFERENCES ${PG_SCHEMA}.runs(id),
      genome text NOT NULL,
      PRIMARY KEY (run_id, genome)
    );
    CREATE TABLE ${PG_SCHEMA}.generations (
      run_id integer NOT NULL REFERENCES ${PG_SCHEMA}.runs(id),
      generation integer NOT NULL,
      evaluations integer NOT NULL,
      feasible_share double precision NOT NULL,
      front_size integer NOT NULL,
      hypervolume double precision NOT NULL,
      PRIMARY KEY (run_id, generation)
    );
    CREATE TABLE ${PG_SCHEMA}.search_state (
      run_id integer PRIMARY KEY REFERENCES ${PG_SCHEMA}.runs(id),
      generation integer NOT NULL,
      algorithm_state_json text NOT NULL,
      rng_state_json text NOT NULL
    );
    CREATE TABLE ${PG_SCHEMA}.reference_chips (
      run_id integer NOT NULL REFERENCES ${PG_SCHEMA}.runs(id),
      seq integer NOT NULL,
      name text NOT NULL,
      feasible integer NOT NULL,
      reasons_json text NOT NULL,
      metrics_json text NOT NULL,
      PRIMARY KEY (run_id, seq)
    );
    CREATE TABLE ${PG_SCHEMA}.design_details (
      run_id integer NOT NULL REFERENCES ${PG_SCHEMA}.runs(id),
      genome text NOT NULL,
      chip_json text NOT NULL,
      evaluations_json text NOT NULL,
      PRIMARY KEY (run_id, genome)
    );
    CREATE TABLE ${PG_SCHEMA}.run_writers (
      run_id integer PRIMARY KEY REFERENCES ${PG_SCHEMA}.runs(id),
      token text NOT NULL,
      pid integer NOT NULL,
      host text NOT NULL,
      since text NOT NULL,
      heartbeat_at timestamptz NOT NULL
    );
    -- Distributed evaluation (src/queue/): a worker's results wait here, keyed by design, until
    -- the coordinator stores their generation in order; a retried job writes the same rows again,
    -- which are kept once.
    CREATE TABLE ${PG_SCHEMA}.staged_results (
      run_id integer NOT NULL REFERENCES ${PG_SCHEMA}.runs(id),
      genome text NOT NULL,
      feasible integer NOT NULL,
      violation double precision NOT NULL,
      reasons_json text NOT NULL,
      objectives_json text NOT NULL,
      params_json text NOT NULL,
      metrics_json text,
      PRIMARY KEY (run_id, genome)
    );
    -- A distributed sweep: its problem by content, and each shard's counts and front once evaluated.
    CREATE TABLE ${PG_SCHEMA}.sweeps (
      id serial PRIMARY KEY,
      space_json text NOT NULL,
      workloads_json text NOT NULL,
      tool_version text NOT NULL,
      designs bigint NOT NULL,
      pid integer NOT NULL,
      host text NOT NULL,
      heartbeat_at timestamptz NOT NULL
    );
    CREATE TABLE ${PG_SCHEMA}.sweep_shards (
      sweep_id integer NOT NULL REFERENCES ${PG_SCHEMA}.sweeps(id) ON DELETE CASCADE,
      shard integer NOT NULL,
      evaluated bigint NOT NULL,
      feasible bigint NOT NULL,
      invalid bigint NOT NULL,
      worst_json text NOT NULL,
      front_json text NOT NULL,
      PRIMARY KEY (sweep_id, shard)
    );
    -- Workers, for progress and \`chipdse workers\`: alive while they renew heartbeat_at.
    CREATE TABLE ${PG_SCHEMA}.workers (
      id serial PRIMARY KEY,
      host text NOT NULL,
      pid integer NOT NULL,
      tool_version text NOT NULL,
      started_at timestamptz NOT NULL DEFAULT now(),
      heartbeat_at timestamptz NOT NULL DEFAULT now(),
      stopped_at timestamptz,
      jobs_done bigint NOT NULL DEFAULT 0,
      designs_done bigint NOT NULL DEFAULT 0,
      evaluation_sec double precision NOT NULL DEFAULT 0,
      current_job text
    );
  `,
};
