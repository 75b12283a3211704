/**
 * The vocabulary of an evaluated result, as the evaluator defines it: the metrics a point carries,
 * the evaluation with its phases and steps, the energy parts. Layers above the evaluator (the
 * store, the charts, the text output) read results through this module and never import the
 * evaluator itself, so none of them can run the model.
 */
export { ENERGY_PARTS, METRIC_NAMES, metricValue, totalEnergy } from '../eval/types.js';
export type { Bound, EnergyBreakdown, Evaluation, MetricName, Metrics, PhaseCost, ServingCurve, ServingCurvePoint, StepCost } from '../eval/types.js';
