/**
 * Runs the simulator as a separate child process (tsx on main.ts) and returns the same handle over
 * its control port. This is the form the kill -9 tests use: the desk dies, the simulator lives on.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { controlClient, type SimHandle } from './client';
import { checkTargets, type SimOptions } from './sim';

const ROOT = path.resolve(__dirname, '..', '..');
const MAIN = path.join(__dirname, 'main.ts');

export interface SpawnedSim extends SimHandle {
  proc: ChildProcess;
  pid: number;
  /** stdout + stderr so far. */
  output(): string;
  /** Sends the signal (default SIGTERM) and waits for the process to exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export async function spawnVerticalSim(opts: SimOptions & { readyTimeoutMs?: number }): Promise<SpawnedSim> {
  checkTargets(opts.targets);
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', MAIN, '--data-dir', opts.dataDir, '--targets', JSON.stringify(opts.targets), '--control-port', String(opts.controlPort ?? 0), '--exit-on-stdin-close'],
    { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  proc.stdout!.setEncoding('utf8');
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => (out += c));
  const ready = await new Promise<{ control: number; targets: Record<string, number> }>((resolve, reject) => {
    const timeout = opts.readyTimeoutMs ?? 30_000;
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`模拟器 ${timeout} ms 内未就绪：\n${out}`));
    }, timeout);
    proc.stdout!.on('data', (c: string) => {
      out += c;
      const m = /SIM_READY (\{.*\})/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(JSON.parse(m[1]!) as { control: number; targets: Record<string, number> });
      }
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`模拟器在就绪前退出（${code ?? signal}）：\n${out}`));
    });
  });
  const exited = new Promise<void>((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) resolve();
    else proc.once('exit', () => resolve());
  });
  const kill = async (signal: NodeJS.Signals = 'SIGTERM') => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    await exited;
  };
  return Object.assign(controlClient(`http://127.0.0.1:${ready.control}`, ready.targets, () => kill('SIGTERM')), {
    proc,
    pid: proc.pid!,
    output: () => out,
    kill,
  });
}
