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

/** The HTTP transport lost its per-launch token (the host restarted): the user must reopen the new address. */
export class HostTokenError extends Error {}

const TOKEN_KEY = 'desk.hostToken';

/** The browser host hands its token in the URL fragment once; it is kept for reloads and removed from the address bar. */
function takeHostToken(): string | null {
  const m = /(?:^#|&)token=([^&]+)/.exec(window.location.hash);
  if (m?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]));
    history.replaceState(null, '', window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function httpTransport(): Transport {
  const token = takeHostToken();
  return {
    kind: 'http',
    async send(request) {
      const res = await fetch('/api/rpc', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token ?? ''}` },
        body: JSON.stringify(request),
      });
      if (res.status === 401) throw new HostTokenError('host token rejected');
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
