/**
 * Where a window or frame may go. Only the app's own pages, and — inside a frame, never as the
 * main page — a blob URL of the app's own origin (a document the page made itself, e.g. a
 * preview). Outside links are refused and opened nowhere: no new window, no system browser.
 */
import { isAppBlobUrl, isAppUrl } from './origin';

export type NavigationKind = 'navigate' | 'frame' | 'redirect';

export interface NavigationRequest {
  kind: NavigationKind;
  url: string;
  /** will-navigate is always the main frame; will-frame-navigate and will-redirect say which. */
  isMainFrame: boolean;
}

export function navigationAllowed(req: NavigationRequest): boolean {
  if (isAppUrl(req.url)) return true;
  if (req.kind === 'frame' && !req.isMainFrame && isAppBlobUrl(req.url)) return true;
  return false;
}

/** setWindowOpenHandler's answer: never a new window, whatever the URL. */
export function windowOpenAnswer(): { action: 'deny' } {
  return { action: 'deny' };
}
