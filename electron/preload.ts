/**
 * Sandboxed preload (bundled to dist/electron/preload.cjs, CommonJS).
 *
 * In a sandboxed renderer the preload may only require a handful of modules,
 * so this file imports nothing at runtime besides contextBridge and
 * ipcRenderer; the envelope types are erased at build time. Validation
 * happens in the main process (dispatcher), never here.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { RequestEnvelope, ResponseEnvelope } from '../shared/ipc/envelope';

/** What the renderer sees as `window.desk` under Electron. */
export type DeskBridge = {
  transport: 'ipc';
  invoke(request: RequestEnvelope): Promise<ResponseEnvelope>;
};

const bridge: DeskBridge = {
  transport: 'ipc',
  // Only the request crosses; the renderer never gets ipcRenderer itself.
  invoke: (request: unknown): Promise<ResponseEnvelope> => ipcRenderer.invoke('desk:rpc', request),
};

contextBridge.exposeInMainWorld('desk', bridge);
