/**
 * The names a design file chooses from, apart from the schema that reads them and the tables
 * that give their figures (both import these, so neither imports the other).
 */

export const TOPOLOGIES = ['ring', 'torus2d', 'torus3d', 'mesh2d', 'mesh3d', 'switch', 'fully-connected'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

export const PROCESS_NODES = ['16nm', '7nm', '5nm', '4nm', '3nm', '2nm'] as const;
export type ProcessNode = (typeof PROCESS_NODES)[number];

export const HBM_GENERATIONS = ['hbm2', 'hbm2e', 'hbm3', 'hbm3e', 'hbm4'] as const;
export type HbmGeneration = (typeof HBM_GENERATIONS)[number];

/** 2.5D packages the cost model knows: TSMC CoWoS with a silicon interposer (S) or local silicon bridges in an RDL interposer (L). */
export const PACKAGE_TYPES = ['cowos-s', 'cowos-l'] as const;
export type PackageType = (typeof PACKAGE_TYPES)[number];
