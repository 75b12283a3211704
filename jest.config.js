/** ts-jest in ESM mode: vega-lite 6 and our own sources are ES modules. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // One line when the PostgreSQL tests are skipped (no server configured): test/helpers/pg.ts.
  globalSetup: '<rootDir>/test/helpers/pg-notice.cjs',
};
