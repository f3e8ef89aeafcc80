/** The vertical-system simulator (docs/sync-protocol.md): in-process and child-process forms. */
export { startVerticalSim, type SimOptions } from './sim';
export { spawnVerticalSim, type SpawnedSim } from './spawn';
export type { SimHandle } from './client';
export { refusedByRate, refPosition } from './faults';
export { DEMO_TARGETS, DEMO_CONTROL_PORT } from './demo-targets';
export type { Faults, Stats, StatusChange, StoredCase, StoredVersion, TargetConfig, TargetInfo } from './types';
