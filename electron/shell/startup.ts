/**
 * The Electron shell's start-up sequence, with Electron passed in (electron/main.ts hands over
 * `app` and `dialog` through StartupPort), so the order is unit-tested without the binary:
 *
 *   1. packaged: refuse debugging switches (--remote-debugging-port, --inspect, …)
 *   2. app.enableSandbox()                       (before ready)
 *   3. the data folder (app/data-dir.ts: one folder for every host and the CLI)
 *   4. desk-config.json of that folder; the demo decision; hardware acceleration off if asked
 *   5. setPath('userData', <profile beside the store>)   (before the lock: the lock is keyed on it)
 *   6. requestSingleInstanceLock()               (a second launch quits here, the store untouched)
 *   7. the app's event handlers, then whenReady → start
 *
 * Any failure is shown in a dialog and the process exits 1: a desk never sits half-started.
 */
import { resolveDataDir, type PlatformInfo, type ResolvedDataDir } from '../app/data-dir';
import { wantsDemo } from './demo';
import { startFailureNotice, START_FAILURE_TITLE } from '../app/start-failure';

export interface StartupPort {
  argv: readonly string[];
  env: Readonly<Record<string, string | undefined>>;
  isPackaged: boolean;
  /** For the data folder's default location (tests give a fake home). */
  platform: PlatformInfo;
  enableSandbox(): void;
  disableHardwareAcceleration(): void;
  setProfilePath(dir: string): void;
  requestSingleInstanceLock(): boolean;
  whenReady(): Promise<unknown>;
  quit(): void;
  showError(title: string, body: string): void;
  exit(code: number): void;
}

export interface StartupPlan {
  data: ResolvedDataDir;
  demo: boolean;
  disableGpu: boolean;
}

export interface StartupHooks<C> {
  /** Reads the data folder's configuration (desk-config.json); throws with a Chinese message on a bad file. */
  readConfig(dataDir: string): C;
  /** Whether the configuration turns hardware acceleration off. */
  configDisablesGpu(config: C): boolean;
  /** Registers the app's event handlers (only in the process holding the lock). */
  beforeReady(plan: StartupPlan, config: C): void;
  /** After ready: opens the store, registers IPC, opens the window. */
  start(plan: StartupPlan, config: C): Promise<void>;
}

export type StartupOutcome =
  | { kind: 'refused'; reason: string }
  | { kind: 'second-instance'; plan: StartupPlan }
  | { kind: 'starting'; plan: StartupPlan; ready: Promise<void> };

export const FAILURE_TITLE = START_FAILURE_TITLE;

/** Switches that would open the desk to a debugger; refused in a packaged desk. */
const DEBUG_SWITCHES = ['--remote-debugging-port', '--remote-debugging-pipe', '--remote-debugging-address', '--inspect', '--inspect-brk', '--inspect-port', '--js-flags'];

export function debuggingSwitch(argv: readonly string[]): string | null {
  for (const arg of argv) {
    const name = arg.split('=')[0]!;
    if (DEBUG_SWITCHES.includes(name)) return name;
  }
  return null;
}

export function wantsGpuOff(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): boolean {
  return argv.includes('--disable-gpu') || argv.includes('--disable-hardware-acceleration') || env.DESK_DISABLE_GPU === '1';
}

/**
 * `<desk executable> --cli <command> …` runs a command-line tool (audit-verify, bundle-export, …)
 * inside the desk's own executable — a packaged desk has no Node, and better-sqlite3 there is built
 * for Electron — without a window. Returns the CLI's arguments, or null for a normal start.
 */
export function cliArguments(argv: readonly string[]): string[] | null {
  const at = argv.indexOf('--cli');
  return at < 0 ? null : argv.slice(at + 1);
}

/** The failure dialog's text (app/start-failure.ts decides it for both hosts). */
export function startupFailureText(stage: string, error: unknown, dataDir: string | null): { title: string; body: string } {
  const n = startFailureNotice(error, { stage, ...(dataDir ? { dataDir } : {}) });
  return { title: n.title, body: n.message };
}

export function beginStartup<C>(port: StartupPort, hooks: StartupHooks<C>): StartupOutcome {
  const fail = (stage: string, error: unknown, dataDir: string | null): void => {
    const { title, body } = startupFailureText(stage, error, dataDir);
    port.showError(title, body);
    port.exit(1);
  };

  if (port.isPackaged) {
    const sw = debuggingSwitch(port.argv);
    if (sw) {
      fail('检查启动参数', new Error(`安装版工作台不允许调试参数 ${sw}。请去掉该参数后再启动。`), null);
      return { kind: 'refused', reason: `debugging switch ${sw}` };
    }
  }
  port.enableSandbox();

  let data: ResolvedDataDir;
  let config: C;
  try {
    data = resolveDataDir(null, port.platform);
  } catch (e) {
    fail('确定数据目录', e, null);
    return { kind: 'refused', reason: e instanceof Error ? e.message : String(e) };
  }
  try {
    config = hooks.readConfig(data.dir);
  } catch (e) {
    fail('读取配置文件', e, data.dir);
    return { kind: 'refused', reason: e instanceof Error ? e.message : String(e) };
  }
  const plan: StartupPlan = {
    data,
    demo: wantsDemo({ argv: port.argv, env: port.env, isPackaged: port.isPackaged }),
    disableGpu: wantsGpuOff(port.argv, port.env) || hooks.configDisablesGpu(config),
  };
  if (plan.disableGpu) port.disableHardwareAcceleration();

  // The single-instance lock is keyed on userData: set it first, so one data folder has one process.
  port.setProfilePath(data.profileDir);
  if (!port.requestSingleInstanceLock()) {
    // Another process owns this data folder; it is focused through its 'second-instance' event.
    port.quit();
    return { kind: 'second-instance', plan };
  }
  hooks.beforeReady(plan, config);
  const ready = port
    .whenReady()
    .then(() => hooks.start(plan, config))
    .catch((e: unknown) => fail('初始化', e, data.dir));
  return { kind: 'starting', plan, ready };
}
