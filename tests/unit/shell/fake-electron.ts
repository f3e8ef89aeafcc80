/**
 * A hand-written stand-in for the 'electron' module, for importing electron/main.ts without the
 * binary (tests/unit/shell/main-under-stub.test.ts). It records what main.ts calls, in order, and
 * keeps the handlers main.ts registers (protocol, IPC, app events, window and webContents events)
 * so the test can drive them. The machine's edge: Electron itself cannot run here.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

type Fn = (...args: never[]) => unknown;

export interface FakeState {
  calls: string[];
  isPackaged: boolean;
  lock: boolean;
  ready: { promise: Promise<void>; resolve: () => void };
  schemes: unknown[] | null;
  protocolHandlers: Map<string, (request: Request) => Promise<Response>>;
  ipcHandlers: Map<string, Fn>;
  appHandlers: Map<string, Fn[]>;
  windows: FakeWindow[];
  errorBoxes: { title: string; body: string }[];
  permissionRequest: Fn | null;
  permissionCheck: Fn | null;
  /** The OS user's secret behind the simulated safeStorage (a keyring: another user, another secret). */
  osSecret: Buffer;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

export function freshState(): FakeState {
  return {
    calls: [],
    isPackaged: true,
    lock: true,
    ready: deferred(),
    schemes: null,
    protocolHandlers: new Map(),
    ipcHandlers: new Map(),
    appHandlers: new Map(),
    windows: [],
    errorBoxes: [],
    permissionRequest: null,
    permissionCheck: null,
    osSecret: randomBytes(32),
  };
}

class Emitter {
  readonly handlers = new Map<string, Fn[]>();
  on(event: string, fn: Fn): this {
    this.handlers.set(event, [...(this.handlers.get(event) ?? []), fn]);
    return this;
  }
  once(event: string, fn: Fn): this {
    return this.on(event, fn);
  }
  emit(event: string, ...args: unknown[]): void {
    for (const fn of this.handlers.get(event) ?? []) (fn as (...a: unknown[]) => unknown)(...args);
  }
}

export class FakeWebContents extends Emitter {
  url = '';
  windowOpenHandler: Fn | null = null;
  constructor(private readonly state: FakeState) {
    super();
  }
  getURL(): string {
    return this.url;
  }
  setWindowOpenHandler(fn: Fn): void {
    this.windowOpenHandler = fn;
  }
  reload(): void {
    this.state.calls.push('webContents.reload');
  }
  forcefullyCrashRenderer(): void {
    this.state.calls.push('webContents.forcefullyCrashRenderer');
  }
}

export class FakeWindow extends Emitter {
  readonly webContents: FakeWebContents;
  visible = false;
  constructor(
    readonly options: Record<string, unknown>,
    private readonly state: FakeState,
  ) {
    super();
    this.webContents = new FakeWebContents(state);
    state.windows.push(this);
    state.calls.push('new BrowserWindow');
  }
  async loadURL(url: string): Promise<void> {
    this.state.calls.push(`loadURL ${url.slice(0, 40)}`);
    this.webContents.url = url;
  }
  show(): void {
    this.visible = true;
    this.state.calls.push('window.show');
  }
  isDestroyed(): boolean {
    return false;
  }
  isMinimized(): boolean {
    return false;
  }
  isVisible(): boolean {
    return this.visible;
  }
  restore(): void {}
  focus(): void {}
}

export function fakeElectron(state: FakeState) {
  const app = {
    get isPackaged() {
      return state.isPackaged;
    },
    setPath: (name: string, value: string) => state.calls.push(`app.setPath ${name} ${value}`),
    getPath: (name: string) => `/nonexistent/${name}`,
    requestSingleInstanceLock: () => {
      state.calls.push('app.requestSingleInstanceLock');
      return state.lock;
    },
    enableSandbox: () => state.calls.push('app.enableSandbox'),
    disableHardwareAcceleration: () => state.calls.push('app.disableHardwareAcceleration'),
    whenReady: () => {
      state.calls.push('app.whenReady');
      return state.ready.promise;
    },
    on: (event: string, fn: Fn) => {
      state.appHandlers.set(event, [...(state.appHandlers.get(event) ?? []), fn]);
      return app;
    },
    quit: () => state.calls.push('app.quit'),
    exit: (code: number) => state.calls.push(`app.exit ${code}`),
  };
  return {
    app,
    protocol: {
      registerSchemesAsPrivileged: (schemes: unknown[]) => {
        state.calls.push('protocol.registerSchemesAsPrivileged');
        state.schemes = schemes;
      },
      handle: (scheme: string, fn: (request: Request) => Promise<Response>) => {
        state.calls.push(`protocol.handle ${scheme}`);
        state.protocolHandlers.set(scheme, fn);
      },
    },
    BrowserWindow: class extends FakeWindow {
      constructor(options: Record<string, unknown>) {
        super(options, state);
      }
    },
    ipcMain: {
      handle: (channel: string, fn: Fn) => {
        state.calls.push(`ipcMain.handle ${channel}`);
        state.ipcHandlers.set(channel, fn);
      },
    },
    // safeStorage as the OS key store behaves (libsecret here): sealed under this user's secret, refused under another's.
    safeStorage: {
      isEncryptionAvailable: () => true,
      getSelectedStorageBackend: () => 'gnome_libsecret',
      encryptString: (plain: string) => {
        const iv = randomBytes(12);
        const c = createCipheriv('aes-256-gcm', state.osSecret, iv);
        const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
        return Buffer.concat([Buffer.from('v11'), iv, c.getAuthTag(), body]);
      },
      decryptString: (sealed: Buffer) => {
        const d = createDecipheriv('aes-256-gcm', state.osSecret, sealed.subarray(3, 15));
        d.setAuthTag(sealed.subarray(15, 31));
        return Buffer.concat([d.update(sealed.subarray(31)), d.final()]).toString('utf8');
      },
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: Fn) => (state.permissionRequest = fn),
        setPermissionCheckHandler: (fn: Fn) => (state.permissionCheck = fn),
        setDevicePermissionHandler: () => undefined,
      },
    },
    dialog: {
      showErrorBox: (title: string, body: string) => {
        state.calls.push('dialog.showErrorBox');
        state.errorBoxes.push({ title, body });
      },
    },
    Menu: { setApplicationMenu: () => undefined },
  };
}
