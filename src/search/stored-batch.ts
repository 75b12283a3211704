/**
 * A worker's designs encoded for a store that packs metrics, sent to the main thread as columns
 * (src/results/stored-columns.ts): numbers in typed arrays that are moved, not copied, and each
 * distinct reason list and metric shape once. The workers build the columns while they evaluate.
 */
export { ColumnsBuilder, StoredColumns, fromColumns, toColumns, type ColumnsPart, type StoredBatch } from '../results/stored-columns.js';
