import type { z } from 'zod';
import type { MethodName } from '../../../../shared/ipc/contract';
import { syncMethods } from '../../../../shared/ipc/methods/sync';
import { call } from '../../ipc/client';

type SyncMethods = typeof syncMethods;
export type SyncMethodName = keyof SyncMethods;
export type SyncInput<M extends SyncMethodName> = z.input<SyncMethods[M]['input']>;
export type SyncOutput<M extends SyncMethodName> = z.output<SyncMethods[M]['output']>;

/**
 * The sync methods, typed straight from shared/ipc/methods/sync.ts. They go
 * through the one IPC client like every other call; the main side checks
 * them against the contract as usual.
 */
export function callSync<M extends SyncMethodName>(method: M, input: SyncInput<M>): Promise<SyncOutput<M>> {
  return call(method as unknown as MethodName, input as never) as unknown as Promise<SyncOutput<M>>;
}
