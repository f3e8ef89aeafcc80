import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { progressEnv, ProgressMarks } from '../../helpers/kill-points';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const HOST_BUNDLE = path.join(ROOT, 'dist', 'electron', 'browser-host.cjs');

export interface RunningHost {
  url: string;
  /** The per-launch token (also in the URL fragment). */
  token: string;
  /** 'ready', or 'recovery' when the store was refused. */
  state: string;
  origin: string;
  port: number;
  dataDir: string;
  proc: ChildProcess;
  /** Its progress marks (electron/log/progress.ts), when started with `progress`. */
  marks: ProgressMarks | null;
  output: () => string;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export function freshDir(prefix = 'desk-e2e-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Starts the built browser host as its own process and waits for its DESK_READY line (no sleeping). Port 0 = any free port.
 * `progress`: its progress marks on fd 3 (for the kill tests, tests/helpers/kill-points.ts), and the mark to stop at for good.
 */
export async function startHost(
  opts: { dataDir?: string; port?: number; env?: Record<string, string>; args?: string[]; progress?: { hold?: { at: string; n: number } } } = {},
): Promise<RunningHost> {
  const dataDir = opts.dataDir ?? freshDir();
  const port = opts.port ?? (await freePort());
  const proc = spawn(process.execPath, [HOST_BUNDLE, '--data-dir', dataDir, '--port', String(port), ...(opts.args ?? [])], {
    env: { ...process.env, ...opts.env, ...(opts.progress ? progressEnv(opts.progress.hold) : {}) },
    stdio: opts.progress ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
  });
  const marks = opts.progress ? new ProgressMarks(proc.stdio[3] as Readable) : null;
  let out = '';
  proc.stdout!.setEncoding('utf8');
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => (out += c));
  let readyTimer: NodeJS.Timeout | undefined;
  const readyP = new Promise<{ url: string; port: number; state: string }>((resolve, reject) => {
    // A deadline for a host that will not start, generous for a loaded machine (kill tests start hundreds).
    const timer = setTimeout(() => reject(new Error(`host did not become ready in 90 s:\n${out}`)), 90_000);
    readyTimer = timer;
    proc.stdout!.on('data', (c: string) => {
      out += c;
      const m = /DESK_READY (\{.*\})/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!) as { url: string; port: number; state: string });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code} before ready:\n${out}`));
    });
  });
  // A host told to hold at a mark may reach it before it is ready (work started by its start-up, e.g.
  // a backfill): then it is returned held, without an address (only its marks and kill are of use).
  const hold = marks && opts.progress?.hold ? marks.held() : null;
  const first = await Promise.race([readyP, ...(hold ? [hold.then((m) => (m ? ('held' as const) : new Promise<never>(() => undefined)))] : [])]);
  if (first === 'held') {
    clearTimeout(readyTimer);
    readyP.catch(() => undefined); // it will end with the kill
  }
  const ready = first === 'held' ? { url: 'http://127.0.0.1:0/#token=held', port, state: 'held' } : first;
  return {
    url: ready.url,
    token: /token=([^&]+)/.exec(ready.url)![1]!,
    state: ready.state,
    origin: `http://127.0.0.1:${ready.port}`,
    port: ready.port,
    dataDir,
    proc,
    marks,
    output: () => out,
    kill: (signal = 'SIGTERM') =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once('exit', () => resolve());
        proc.kill(signal);
      }),
  };
}

/**
 * One IPC call through a browser host's API, as the page makes it: for the steps an end-to-end
 * test is not about (the intake of a case, a verification outcome). Throws the main side's message.
 */
export async function hostRpc<T>(host: RunningHost, method: string, input: unknown, session?: string): Promise<T> {
  const res = await fetch(`${host.origin}/api/rpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
    body: JSON.stringify({ id: method, method, input, ...(session ? { session } : {}) }),
  });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: { message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
  return body.value as T;
}
