/**
 * Vendor document cameras whose SDK runs a local service on 127.0.0.1 (Eloam-style HTTP, 捷宇-style
 * WebSocket). The page never contacts that service: the main side does (`camera.vendor*` IPC, see
 * shared/ipc/methods/camera.ts), so the page's CSP stays `connect-src 'self'`. Preview frames are
 * small JPEGs drawn onto a canvas whose captureStream() is the session's MediaStream; the shutter
 * takes a still at the device's full resolution from the device itself (`capture`).
 */
import { call, DeskCallError } from '../ipc/client';
import { base64ToBlob } from '../lib/files';
import { bitmapToFrame, type CameraAdapter, type CameraDevice, type CameraSession } from './camera';

/** Preview frames per second asked of the service (the overlay detects at most a few times a second). */
const PREVIEW_FPS = 12;

const deviceId = (d: CameraDevice) => d.id.replace(/^vendor:/, '');

async function decode(reply: { mime: string; base64: string }): Promise<ImageBitmap> {
  return createImageBitmap(base64ToBlob(reply.base64, reply.mime));
}

export const vendorAdapter: CameraAdapter = {
  name: 'vendor',
  async list() {
    const r = await call('camera.vendorList', {}).catch(() => null);
    if (!r || r.status !== 'ok') return [];
    return r.devices.map((d) => ({ id: `vendor:${d.id}`, label: `${d.label}（厂商服务）`, adapter: 'vendor' }));
  },
  async open(device, events = {}): Promise<CameraSession> {
    const id = deviceId(device);
    const listed = await call('camera.vendorList', {});
    const found = listed.status === 'ok' ? listed.devices.find((d) => d.id === id) : undefined;
    if (!found) throw new Error(listed.status === 'ok' ? '高拍仪已断开连接' : listed.message);
    // Always ask for the largest still the device offers, explicitly.
    const largest = found.resolutions.reduce((a, b) => (a.width * a.height >= b.width * b.height ? a : b));
    const resolution = await call('camera.vendorOpen', { deviceId: id, ...largest });

    const first = await decode(await call('camera.vendorPreview', { deviceId: id }));
    const canvas = document.createElement('canvas');
    canvas.width = first.width;
    canvas.height = first.height;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(first, 0, 0);
    first.close();
    const stream = canvas.captureStream(PREVIEW_FPS);

    let open = true;
    void (async () => {
      while (open) {
        const started = performance.now();
        try {
          const bitmap = await decode(await call('camera.vendorPreview', { deviceId: id }));
          if (open) ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
          bitmap.close();
        } catch (e) {
          if (!open) return;
          open = false;
          stream.getTracks().forEach((t) => t.stop());
          events.onFailure?.(e instanceof DeskCallError ? e.message : `高拍仪预览中断：${(e as Error).message}`);
          return;
        }
        await new Promise((r) => setTimeout(r, Math.max(0, 1000 / PREVIEW_FPS - (performance.now() - started))));
      }
    })();

    return {
      stream,
      resolution,
      async capture(rotation) {
        const bitmap = await decode(await call('camera.vendorCapture', { deviceId: id }));
        try {
          return bitmapToFrame(bitmap, bitmap.width, bitmap.height, rotation);
        } finally {
          bitmap.close();
        }
      },
      close() {
        if (!open) return;
        open = false;
        stream.getTracks().forEach((t) => t.stop());
        void call('camera.vendorClose', { deviceId: id }).catch(() => undefined);
      },
    };
  },
};
