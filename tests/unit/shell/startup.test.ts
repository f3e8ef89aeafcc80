/**
 * The start-up sequence (electron/shell/startup.ts) with a recording port standing in for
 * Electron's app and dialog: the order of the calls, the data folder, the demo decision, and
 * every refusal shown in a dialog and followed by exit 1.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { beginStartup, cliArguments, debuggingSwitch, FAILURE_TITLE, type StartupPlan, type StartupPort } from '../../../electron/shell/startup';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'desk-startup-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

function recordingPort(over: Partial<StartupPort> & { lock?: boolean; ready?: Promise<unknown> } = {}) {
  const calls: string[] = [];
  const errors: { title: string; body: string }[] = [];
  const port: StartupPort = {
    argv: ['/opt/desk/proof-free-desk'],
    env: {},
    isPackaged: true,
    platform: { platform: 'linux', env: {}, home },
    enableSandbox: () => calls.push('enableSandbox'),
    disableHardwareAcceleration: () => calls.push('disableHardwareAcceleration'),
    setProfilePath: (dir) => calls.push(`setPath ${dir}`),
    requestSingleInstanceLock: () => {
      calls.push('requestSingleInstanceLock');
      return over.lock ?? true;
    },
    whenReady: () => {
      calls.push('whenReady');
      return over.ready ?? Promise.resolve();
    },
    quit: () => calls.push('quit'),
    showError: (title, body) => {
      calls.push('showError');
      errors.push({ title, body });
    },
    exit: (code) => calls.push(`exit ${code}`),
    ...over,
  };
  return { port, calls, errors };
}

function hooks(calls: string[], over: { readConfig?: (dir: string) => { gpuOff?: boolean }; start?: (plan: StartupPlan) => Promise<void> } = {}) {
  return {
    readConfig: over.readConfig ?? ((dir: string) => (calls.push(`readConfig ${dir}`), {})),
    configDisablesGpu: (c: { gpuOff?: boolean }) => c.gpuOff === true,
    beforeReady: () => calls.push('beforeReady'),
    start: over.start ?? (async (plan: StartupPlan) => void calls.push(`start demo=${plan.demo}`)),
  };
}

const defaultDir = () => path.join(home, '.local', 'share', 'proof-free-desk');

describe('the start-up sequence', () => {
  it('a packaged first start: sandbox, data folder, profile set before the lock, then start without the demo', async () => {
    const { port, calls } = recordingPort();
    const outcome = beginStartup(port, hooks(calls));
    expect(outcome.kind).toBe('starting');
    if (outcome.kind === 'starting') await outcome.ready;
    expect(calls).toEqual([
      'enableSandbox',
      `readConfig ${defaultDir()}`,
      `setPath ${path.join(defaultDir(), 'profile')}`,
      'requestSingleInstanceLock',
      'beforeReady',
      'whenReady',
      'start demo=false',
    ]);
  });

  it('a second launch quits at the lock and never starts', () => {
    const { port, calls } = recordingPort({ lock: false });
    const outcome = beginStartup(port, hooks(calls));
    expect(outcome.kind).toBe('second-instance');
    expect(calls.slice(-2)).toEqual(['requestSingleInstanceLock', 'quit']);
    expect(calls).not.toContain('beforeReady');
    expect(calls).not.toContain('whenReady');
  });

  it('a failure in start is shown in a dialog naming the stage and the data folder, then exit 1', async () => {
    const { port, calls, errors } = recordingPort();
    const outcome = beginStartup(port, hooks(calls, { start: async () => Promise.reject(new Error('SQLITE_CANTOPEN: unable to open database file')) }));
    if (outcome.kind === 'starting') await outcome.ready;
    expect(calls.slice(-2)).toEqual(['showError', 'exit 1']);
    expect(errors[0]!.title).toBe(FAILURE_TITLE);
    expect(errors[0]!.body).toContain('启动时发生错误（初始化）');
    expect(errors[0]!.body).toContain('SQLITE_CANTOPEN: unable to open database file');
    expect(errors[0]!.body).toContain(`数据目录：${defaultDir()}`);
  });

  it('a bad configuration file stops before the lock, with its own Chinese message', () => {
    const { port, calls, errors } = recordingPort();
    const bad = Object.assign(new Error('desk-config.json: not JSON'), { userMessage: '配置文件 desk-config.json 不是有效的 JSON' });
    beginStartup(port, hooks(calls, { readConfig: () => { throw bad; } }));
    expect(calls).toEqual(['enableSandbox', 'showError', 'exit 1']);
    expect(errors[0]!.body).toContain('启动时发生错误（读取配置文件）');
    expect(errors[0]!.body).toContain('配置文件 desk-config.json 不是有效的 JSON');
  });

  it('a packaged desk refuses debugging switches before anything else', () => {
    for (const sw of ['--remote-debugging-port=9222', '--inspect', '--inspect-brk=9229', '--remote-debugging-pipe']) {
      const { port, calls, errors } = recordingPort({ argv: ['/opt/desk/proof-free-desk', sw] });
      const outcome = beginStartup(port, hooks(calls));
      expect(outcome.kind, sw).toBe('refused');
      expect(calls, sw).toEqual(['showError', 'exit 1']);
      expect(errors[0]!.body).toContain('安装版工作台不允许调试参数');
    }
  });

  it('a development run allows them, and keeps the demo', async () => {
    const { port, calls } = recordingPort({ isPackaged: false, argv: ['electron', '.', '--inspect'] });
    const outcome = beginStartup(port, hooks(calls));
    if (outcome.kind === 'starting') await outcome.ready;
    expect(calls.at(-1)).toBe('start demo=true');
  });

  it('--disable-gpu, DESK_DISABLE_GPU=1 or the configuration turn hardware acceleration off before the lock', () => {
    for (const variant of [{ argv: ['desk', '--disable-gpu'] }, { env: { DESK_DISABLE_GPU: '1' } }, {}]) {
      const { port, calls } = recordingPort(variant);
      beginStartup(port, hooks(calls, { readConfig: () => ({ gpuOff: !('argv' in variant) && !('env' in variant) }) }));
      expect(calls.indexOf('disableHardwareAcceleration'), JSON.stringify(variant)).toBeGreaterThan(-1);
      expect(calls.indexOf('disableHardwareAcceleration')).toBeLessThan(calls.indexOf('requestSingleInstanceLock'));
    }
    const { port, calls } = recordingPort();
    beginStartup(port, hooks(calls));
    expect(calls).not.toContain('disableHardwareAcceleration');
  });

  it('DESK_DATA_DIR gives the data folder and a profile inside it', () => {
    const dir = path.join(home, 'hall-2');
    const { port, calls } = recordingPort({ platform: { platform: 'linux', env: { DESK_DATA_DIR: dir }, home } });
    beginStartup(port, hooks(calls));
    expect(calls).toContain(`setPath ${path.join(dir, 'profile')}`);
  });

  it('two stores (the one folder and an older Electron folder) are refused, naming both', () => {
    for (const dir of [defaultDir(), path.join(home, '.config', '无证明办理工作台', 'data')]) {
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'desk.sqlite'), 'x');
    }
    const { port, calls, errors } = recordingPort();
    beginStartup(port, hooks(calls));
    expect(calls).toEqual(['enableSandbox', 'showError', 'exit 1']);
    expect(errors[0]!.body).toContain(defaultDir());
    expect(errors[0]!.body).toContain(path.join(home, '.config', '无证明办理工作台', 'data'));
    expect(errors[0]!.body).toContain('不会自行选择或移动');
  });
});

describe('command-line helpers', () => {
  it('--cli gives the CLI its arguments', () => {
    expect(cliArguments(['/opt/desk/proof-free-desk', '--cli', 'audit-verify', '--data-dir', '/d'])).toEqual(['audit-verify', '--data-dir', '/d']);
    expect(cliArguments(['electron', 'dist/electron/main.cjs', '--cli', 'bundle-export', '--out', 'x'])).toEqual(['bundle-export', '--out', 'x']);
    expect(cliArguments(['/opt/desk/proof-free-desk'])).toBeNull();
  });
  it('names the debugging switch found', () => {
    expect(debuggingSwitch(['desk', '--remote-debugging-port=9222'])).toBe('--remote-debugging-port');
    expect(debuggingSwitch(['desk', '--no-demo', '--disable-gpu'])).toBeNull();
  });
});
