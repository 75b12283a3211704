/** chipdse's library surface: what the CLI calls, and what other programs may use. */
import { SqliteRunStore } from './store/sqlite.js';
import type { RunStore as RunStoreContract } from './store/store.js';
export { ChipdseError, ValidationError, type Issue } from './errors.js';
export { looksLikePath, locate, type Located, type PresetFolder } from './io/resolve.js';
export { parseQuantity } from './units/quantity.js';
export { FORMATS, FORMAT_NAMES, bitsPerValue, bytesPerValue, quantizationSnrDb, type FormatName, type Precision } from './precision/formats.js';
export { designSchema, TOPOLOGIES, PROCESS_NODES, type DesignFile, type DesignInput } from './chip/schema.js';
export type { Chip } from './chip/chip.js';
export { loadDesign, parseDesign, listDesignPresets, resolveDesignSource } from './chip/load.js';
export { NODE_TECHNOLOGY, HBM_TECHNOLOGY } from './chip/technology.js';
export { workloadSchema, traceFileSchema, PHASES } from './workload/schema.js';
export type { Workload } from './workload/workload.js';
export { loadWorkload, parseWorkload, listWorkloadPresets } from './workload/load.js';
export { resolveModel, paramCounts, listModelPresets, type ModelConfig } from './workload/model.js';
export { forwardPass, backwardPass } from './workload/passes.js';
export type { Step } from './workload/step.js';
export { collectiveCost } from './interconnect/collectives.js';
export { evaluate, evaluateAtBatch } from './eval/evaluate.js';
export { designReasons } from './chip/buildability.js';
export { runPhase } from './eval/phase.js';
export { stepCost } from './eval/step-cost.js';
export { ENERGY_PARTS, totalEnergy, type Evaluation, type Metrics, type EnergyBreakdown, type StepCost, type PhaseCost, type Bound, type ServingReport, type ServingCurve, type ServingCurvePoint, type ConcurrencyLimit } from './eval/types.js';
export { servingCurve } from './eval/serving-curve.js';
export { closedLoopPlan, closedLoopTimes, openLoop, type IterationPlan, type ScheduleInput } from './eval/serving-schedule.js';
export { busiestRank, alphaForGini, giniOf } from './workload/moe-routing.js';
export { calibrateServing, servingRowWorkload, type ServingCalibration } from './calibrate/serving-calibrate.js';
export { readServingRows, type ServingRow } from './calibrate/serving-rows.js';
export { formatServingCurve } from './text/serving-curve.js';
export { calibrate, type CalibrationSummary, type CalibrationRow } from './calibrate/calibrate.js';
export { CALIBRATION_POINTS } from './calibrate/points.js';
export { formatEvaluation } from './text/evaluation.js';
export { formatComparison, ratiosToFirst } from './text/compare.js';
export { frontTable } from './text/front-table.js';
export { reliabilityFigures, goodputOf, CHIP_FIT, MEMORY_FIT_PER_MBIT } from './reliability/reliability.js';
export { collectiveReport, type CollectiveReport } from './commands/collective.js';
export { loadSpace, parseSpace, listSpacePresets, type Space } from './search/space.js';
export { evaluateGenome, type Problem } from './search/problem.js';
export { runSearch, type SearchOptions, type SearchSummary } from './search/run.js';
export { runBatch } from './search/batch.js';
export { sweepSpace } from './search/sweep.js';
export { sweepReport, type SweepReport } from './search/sweep-report.js';
export { evaluateReferenceChips } from './search/reference-chips.js';
export { designDetail } from './search/details.js';
export { ALGORITHMS, type AlgorithmName, type AlgorithmState, type RngState, type SearchState, type RunMeta, type RunRow, type GenerationStats, type ObjectiveSpec, type ParameterAxis } from './results/run.js';
export { encodePoint, type PointResult, type StoredPoint } from './results/point.js';
export { parseMetricLabel, metricLabel, aggregateMetric, type MetricRef } from './results/metric-ref.js';
export { chipCeilings, type ChipCeilings, type DesignDetail, type ReferenceResult } from './results/design-detail.js';
export { objectiveValues, bestFirst } from './results/objectives.js';
export { exportCsv, exportJson, frontJson } from './results/export.js';
export type { GenerationRecord } from './store/store.js';
export { SqliteRunStore } from './store/sqlite.js';
export { MemoryRunStore } from './store/memory.js';
export { openStore, openRun } from './store/open.js';
export { dominates, paretoFront, nonDominatedSort, constrainedNonDominatedSort, crowdingDistance, hypervolume } from './pareto/index.js';
export { chartCommand } from './commands/chart.js';
export { reportCommand } from './commands/report.js';
export { compareChart } from './commands/compare.js';
export { servingCurveChart } from './commands/eval.js';
export { storeDetails } from './commands/detail.js';

/**
 * `RunStore`: the store contract (a type), and as a value the SQLite store users get, so
 * `new RunStore(file)` keeps opening a SQLite file as it did before the contract existed.
 */
export const RunStore = SqliteRunStore;
export type RunStore = RunStoreContract;
