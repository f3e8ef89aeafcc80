import { create } from 'zustand';
import type { SessionInfo, SystemStatus } from '../../../shared/ipc/contract';
import { call, DeskCallError, onSessionProblem, resetTransport, setSessionToken } from '../ipc/client';
import { HostTokenError, watchHostToken } from '../ipc/transport';

export type PageKey = 'home' | 'intake' | 'cases' | 'sync' | 'transfer' | 'scan' | 'verification' | 'applicants' | 'catalog' | 'credit' | 'calendar' | 'users' | 'audit' | 'conflicts' | 'hub';
/** `noToken`: opened without the printed address's token; `hostGone`: the host restarted (its token changed). */
export type Phase = 'booting' | 'recovery' | 'setup' | 'signedOut' | 'signedIn' | 'noToken' | 'hostGone' | 'unreachable';

interface DeskState {
  phase: Phase;
  status: SystemStatus | null;
  session: SessionInfo | null;
  locked: boolean;
  page: PageKey;
  /** Set when the local service answered the last status poll. */
  serviceUp: boolean;
  boot(): Promise<void>;
  signedIn(s: SessionInfo): void;
  signOut(): Promise<void>;
  lock(): Promise<void>;
  unlocked(s: SessionInfo): void;
  /** The forced password change is done: the session may do everything its role allows. */
  passwordChanged(): void;
  go(page: PageKey): void;
  /** Counts every navigation (a menu click, a case opened): 受理办件 clicked again starts afresh from its draft. */
  visit: number;
  pollStatus(): Promise<void>;
  /** A case to open in the intake page (from the case list). */
  openCaseId: number | null;
  openCase(caseId: number): void;
  clearOpenCase(): void;
}

const SESSION_KEY = 'desk.session';
const PAGE_KEY = 'desk.page';
const PAGES: readonly PageKey[] = ['home', 'intake', 'cases', 'sync', 'transfer', 'scan', 'verification', 'applicants', 'catalog', 'credit', 'users', 'audit', 'hub'];

/** The page survives a reload of the tab (the work on it is restored from drafts and the store). */
function storedPage(): PageKey {
  const p = sessionStorage.getItem(PAGE_KEY) as PageKey | null;
  return p && PAGES.includes(p) ? p : 'home';
}

function storeSession(s: SessionInfo | null): void {
  if (s) sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  else sessionStorage.removeItem(SESSION_KEY);
  setSessionToken(s?.token);
}

function storedSession(): SessionInfo | null {
  try {
    const raw = sessionStorage.getItem(SESSION_KEY);
    return raw ? (JSON.parse(raw) as SessionInfo) : null;
  } catch {
    return null;
  }
}

export const useDesk = create<DeskState>((set, get) => ({
  phase: 'booting',
  status: null,
  session: null,
  locked: false,
  page: storedPage(),
  serviceUp: true,

  async boot() {
    let status: SystemStatus;
    try {
      status = await call('system.status', {});
    } catch (e) {
      // A token problem has already set noToken/hostGone (onSessionProblem below).
      if (e instanceof DeskCallError && e.code === 'UNAUTHENTICATED') set({ serviceUp: false });
      else set({ phase: 'unreachable', serviceUp: false });
      return;
    }
    set({ status, serviceUp: true });
    if (status.state === 'recovery') return set({ phase: 'recovery' });
    if (status.needsSetup) return set({ phase: 'setup' });
    const saved = storedSession();
    if (!saved) return set({ phase: 'signedOut' });
    storeSession(saved);
    try {
      await call('home.summary', {});
      set({ phase: 'signedIn', session: saved, locked: false, page: storedPage() });
    } catch (e) {
      if (e instanceof DeskCallError && e.code === 'SESSION_LOCKED') set({ phase: 'signedIn', session: saved, locked: true });
      else if (e instanceof DeskCallError && e.code === 'PASSWORD_CHANGE_REQUIRED') set({ phase: 'signedIn', session: { ...saved, mustChangePassword: true }, locked: false });
      else {
        storeSession(null);
        set({ phase: 'signedOut', session: null });
      }
    }
  },

  signedIn(s) {
    storeSession(s);
    sessionStorage.setItem(PAGE_KEY, 'home');
    set({ phase: 'signedIn', session: s, locked: false, page: 'home' });
  },

  async signOut() {
    try {
      await call('auth.signOut', {});
    } catch {
      // Signed out locally either way; the main side ends sessions on restart.
    }
    storeSession(null);
    set({ phase: 'signedOut', session: null, locked: false });
  },

  async lock() {
    set({ locked: true });
    try {
      await call('auth.lock', {});
    } catch {
      // The overlay is up; the main side locks idle sessions by itself too.
    }
  },

  unlocked(s) {
    storeSession(s);
    set({ session: s, locked: false });
  },

  passwordChanged() {
    const s = get().session;
    if (!s) return;
    const { mustChangePassword: _done, ...rest } = s;
    storeSession(rest);
    set({ session: rest });
  },

  go(page) {
    sessionStorage.setItem(PAGE_KEY, page);
    set((s) => ({ page, visit: s.visit + 1 }));
  },
  visit: 0,

  openCaseId: null,
  openCase(caseId) {
    sessionStorage.setItem(PAGE_KEY, 'intake');
    set((s) => ({ openCaseId: caseId, page: 'intake', visit: s.visit + 1 }));
  },
  clearOpenCase() {
    set({ openCaseId: null });
  },

  async pollStatus() {
    try {
      const status = await call('system.status', {});
      set({ status, serviceUp: true });
    } catch {
      set({ serviceUp: false });
    }
    void get;
  },
}));

onSessionProblem((e) => {
  const state = useDesk.getState();
  if (e instanceof HostTokenError) useDesk.setState({ phase: e.reason === 'missing' ? 'noToken' : 'hostGone' });
  else if (e.code === 'SESSION_LOCKED' && state.phase === 'signedIn') useDesk.setState({ locked: true });
  else if (e.code === 'UNAUTHENTICATED' && state.phase === 'signedIn') {
    storeSession(null);
    useDesk.setState({ phase: 'signedOut', session: null, locked: false });
  }
});

// The printed address pasted into this tab (only its fragment changes, so no reload): start over
// with the new token — the sign-in page, or the signed-in page when the session is still valid.
watchHostToken(() => {
  resetTransport();
  useDesk.setState({ phase: 'booting' });
  void useDesk.getState().boot();
});
