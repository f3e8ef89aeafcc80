/**
 * Which Chromium permissions the page gets. Only for the app's own pages (app://desk):
 * - 'media' for video only: the document camera and the ID-card photo. The desk never needs the
 *   microphone; a request that includes audio is refused as a whole.
 * - 'clipboard-sanitized-write': navigator.clipboard.writeText (renderer/src/pages/sync/copy-text.ts,
 *   the manual re-entry screen's copy buttons). Reading the clipboard is not granted.
 * Everything else — notifications, geolocation, MIDI, HID, serial, fullscreen, … — is refused.
 */
import { isAppOrigin, isAppUrl } from './origin';

export interface PermissionRequest {
  permission: string;
  /** The URL of the webContents asking. */
  webContentsUrl: string;
  /** details.requestingUrl: the frame asking. */
  requestingUrl: string;
  /** details.mediaTypes for 'media': 'video' and/or 'audio'. */
  mediaTypes?: readonly string[];
}

export function permissionRequestAllowed(req: PermissionRequest): boolean {
  if (!isAppUrl(req.webContentsUrl) || !isAppUrl(req.requestingUrl)) return false;
  if (req.permission === 'media') {
    const types = req.mediaTypes ?? [];
    return types.length > 0 && types.every((t) => t === 'video');
  }
  return req.permission === 'clipboard-sanitized-write';
}

export interface PermissionCheck {
  permission: string;
  requestingOrigin: string;
  /** The URL of the webContents checking, or null (a check without one, e.g. a service worker). */
  webContentsUrl: string | null;
  /** details.mediaType for 'media' checks: 'video', 'audio' or 'unknown'. */
  mediaType?: string;
}

export function permissionCheckAllowed(check: PermissionCheck): boolean {
  if (!isAppOrigin(check.requestingOrigin)) return false;
  if (check.webContentsUrl !== null && !isAppUrl(check.webContentsUrl)) return false;
  if (check.permission === 'media') return check.mediaType === 'video';
  return check.permission === 'clipboard-sanitized-write';
}
