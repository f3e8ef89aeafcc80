import type { RequestEnvelope, ResponseEnvelope } from '../../../shared/ipc/envelope';

/** What Electron's preload exposes; absent in the browser host. */
interface DeskBridge {
  transport: 'ipc';
  invoke(request: RequestEnvelope): Promise<ResponseEnvelope>;
}

declare global {
  interface Window {
    desk?: DeskBridge;
  }
}

export interface Transport {
  kind: 'ipc' | 'http';
  send(request: RequestEnvelope): Promise<ResponseEnvelope>;
}

/**
 * The HTTP transport has no valid per-launch token: `missing` — the page was opened without one
 * (the bare address, not the printed one); `rejected` — the host refused it (it restarted, so its
 * token changed). Either way the user opens the printed address; the page recovers in place.
 */
export class HostTokenError extends Error {
  constructor(readonly reason: 'missing' | 'rejected') {
    super(`host token ${reason}`);
  }
}

const TOKEN_KEY = 'desk.hostToken';

/** The browser host hands its token in the URL fragment once; it is kept for reloads and removed from the address bar. Returns whether the fragment had one. */
function takeHostToken(): boolean {
  const m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (!m?.[1]) return false;
  sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
  history.replaceState(null, '', window.location.pathname + window.location.search);
  return true;
}

/**
 * Pasting the printed address into a tab already on the host changes only the fragment: no reload.
 * The new token is taken from it and `onNewToken` runs, so a page showing 请使用完整地址 or 本地服务已重启
 * recovers without F5.
 */
export function watchHostToken(onNewToken: () => void): void {
  if (window.desk) return; // Electron: no token
  window.addEventListener('hashchange', () => {
    if (takeHostToken()) onNewToken();
  });
}

function httpTransport(): Transport {
  takeHostToken();
  const token = sessionStorage.getItem(TOKEN_KEY);
  return {
    kind: 'http',
    async send(request) {
      if (token === null) throw new HostTokenError('missing');
      const res = await fetch('/api/rpc', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token ?? ''}` },
        body: JSON.stringify(request),
      });
      if (res.status === 401) throw new HostTokenError('rejected');
      const body = (await res.json()) as ResponseEnvelope | { error: { code: string; message: string } };
      if ('ok' in body) return body;
      return { id: request.id, ok: false, error: body.error as never };
    },
  };
}

export function detectTransport(): Transport {
  const bridge = window.desk;
  if (bridge && bridge.transport === 'ipc') return { kind: 'ipc', send: (r) => bridge.invoke(r) };
  return httpTransport();
}
