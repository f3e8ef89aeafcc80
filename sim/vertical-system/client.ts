/** A handle on a running simulator, spoken through its control port (same for in-process and child-process). */
import type { Faults, Stats, StoredCase, TargetInfo } from './types';

export interface SimHandle {
  /** Control base URL, e.g. http://127.0.0.1:47710 */
  control: string;
  controlPort: number;
  /** Data base URL per target id. */
  targets: Record<string, string>;
  ports: Record<string, number>;
  setFaults(target: string, faults: Faults): Promise<TargetInfo & { faults: Faults }>;
  stats(target: string): Promise<Stats>;
  cases(target: string): Promise<StoredCase[]>;
  targetInfo(): Promise<(TargetInfo & { faults: Faults })[]>;
  reset(target?: string): Promise<void>;
  close(): Promise<void>;
}

async function call<T>(url: string, init?: RequestInit): Promise<T> {
  const res = await fetch(url, init);
  const text = await res.text();
  if (!res.ok) throw new Error(`模拟器控制接口 ${url} 返回 ${res.status}：${text}`);
  return JSON.parse(text) as T;
}

const post = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

export function controlClient(control: string, targets: Record<string, number>, close: () => Promise<void>): SimHandle {
  const q = encodeURIComponent;
  return {
    control,
    controlPort: Number(new URL(control).port),
    targets: Object.fromEntries(Object.entries(targets).map(([id, port]) => [id, `http://127.0.0.1:${port}`])),
    ports: { ...targets },
    setFaults: (target, faults) => call(`${control}/control/faults`, post({ target, ...faults })),
    stats: (target) => call(`${control}/control/stats?target=${q(target)}`),
    cases: async (target) => (await call<{ items: StoredCase[] }>(`${control}/control/cases?target=${q(target)}`)).items,
    targetInfo: async () => (await call<{ targets: (TargetInfo & { faults: Faults })[] }>(`${control}/control/targets`)).targets,
    reset: async (target) => {
      await call(`${control}/control/reset`, post(target === undefined ? {} : { target }));
    },
    close,
  };
}
