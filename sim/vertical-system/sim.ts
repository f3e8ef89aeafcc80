/**
 * Starts the vertical-system simulator in this process: one SQLite store, one data port per
 * target, one control port. Tests that must survive the desk's kill -9 use spawnVerticalSim
 * (spawn.ts) instead, which runs the same thing as its own process.
 */
import http from 'node:http';
import { SimStore } from './store';
import { TargetServer } from './server';
import { createControlServer } from './control';
import { controlClient, type SimHandle } from './client';
import type { TargetConfig } from './types';

export interface SimOptions {
  dataDir: string;
  targets: TargetConfig[];
  /** 0 or absent = any free port. */
  controlPort?: number;
}

export function checkTargets(targets: TargetConfig[]): void {
  const ids = new Set<string>();
  for (const t of targets) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(t.id)) throw new Error(`模拟系统编号须为小写字母开头的字母、数字或连字符：${t.id}`);
    if (ids.has(t.id)) throw new Error(`模拟系统编号重复：${t.id}`);
    ids.add(t.id);
    if (!t.token) throw new Error(`模拟系统 ${t.id} 缺少访问令牌`);
    if (!Number.isInteger(t.chunkSize) || t.chunkSize <= 0) throw new Error(`模拟系统 ${t.id} 的分片大小须为正整数`);
  }
}

export async function startVerticalSim(opts: SimOptions): Promise<SimHandle> {
  checkTargets(opts.targets);
  const store = new SimStore(opts.dataDir);
  const targets = new Map<string, TargetServer>();
  const control = createControlServer(targets);
  try {
    for (const cfg of opts.targets) {
      const t = new TargetServer(cfg, store);
      await t.open();
      targets.set(cfg.id, t);
    }
    await new Promise<void>((resolve, reject) => {
      control.once('error', reject);
      control.listen(opts.controlPort ?? 0, '127.0.0.1', () => resolve());
    });
  } catch (e) {
    for (const t of targets.values()) await t.shut();
    store.close();
    throw e;
  }
  const controlPort = (control.address() as { port: number }).port;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    for (const t of targets.values()) await t.shut();
    await closeServer(control);
    store.close();
  };
  const ports = Object.fromEntries([...targets.values()].map((t) => [t.config.id, t.port]));
  return controlClient(`http://127.0.0.1:${controlPort}`, ports, close);
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
