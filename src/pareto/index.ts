/** Pareto maths shared by the search, the store and the charts. Every objective is minimized. */
export { dominates, weaklyDominates, constrainedDominates, type Point, type ConstrainedPoint } from './dominance.js';
export { nonDominatedSort, constrainedNonDominatedSort, paretoFront } from './sort.js';
export { crowdingDistance } from './crowding.js';
export { hypervolume, hypervolumeContributions } from './hypervolume.js';
