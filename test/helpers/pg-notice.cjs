// jest global setup: the one line that says the PostgreSQL tests are skipped (test/helpers/pg.ts).
module.exports = async () => {
  if (!process.env.CHIPDSE_TEST_PG) {
    process.stderr.write('\nPostgreSQL tests skipped: no server configured (set CHIPDSE_TEST_PG=postgresql://USER@HOST:5432/postgres to run them; .ci/run does)\n');
  }
};
