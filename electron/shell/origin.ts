/**
 * The renderer's one origin, app://desk, and the checks every shell decision makes against it.
 * The origin never changes: IndexedDB drafts are kept per origin.
 */
export const SCHEME = 'app';
export const HOST = 'desk';
export const ORIGIN = `${SCHEME}://${HOST}`;
export const ORIGIN_PREFIX = `${ORIGIN}/`;
/** Blob URLs the page makes (a PDF, a scan) carry the page's origin: blob:app://desk/<uuid>. */
export const BLOB_PREFIX = `blob:${ORIGIN_PREFIX}`;
export const RPC_CHANNEL = 'desk:rpc';
export const WINDOW_TITLE = '无证明办理工作台';

/**
 * registerSchemesAsPrivileged's argument: standard (relative URLs, an origin), secure (a secure
 * context: camera, clipboard, crypto.subtle), fetch and streams for the page's own files.
 */
export const PRIVILEGED_SCHEMES = [
  {
    scheme: SCHEME,
    privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true },
  },
] as const;

export function isAppUrl(url: string | undefined | null): url is string {
  return typeof url === 'string' && url.startsWith(ORIGIN_PREFIX);
}

export function isAppBlobUrl(url: string | undefined | null): url is string {
  return typeof url === 'string' && url.startsWith(BLOB_PREFIX);
}

/** An origin as Chromium reports it ('app://desk', sometimes with a trailing slash). */
export function isAppOrigin(origin: string | undefined | null): boolean {
  return typeof origin === 'string' && origin.replace(/\/+$/, '') === ORIGIN;
}

/** IPC is answered only for a frame showing one of our own pages (not a blob frame, not a foreign page). */
export function isTrustedSender(frameUrl: string | undefined | null): boolean {
  return isAppUrl(frameUrl);
}
