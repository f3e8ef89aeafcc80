import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { Logger } from '../../log/logger';
import { VendorCameraError, type VendorCameraService } from './vendor-camera-client';

/** IPC handlers for vendor cameras (shared/ipc/methods/camera.ts): the page never talks to the vendor service itself. */
export function createCameraVendorService(service: VendorCameraService, logger: Logger): PartialHandlers {
  const guard = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof VendorCameraError) {
        logger.warn('camera.vendor.failed', { what, kind: e.kind, detail: e.detail });
        throw new AppError('UNAVAILABLE', e.message, { kind: e.kind, detail: e.detail });
      }
      throw e;
    }
  };
  return {
    'camera.vendorList': async () => {
      try {
        return { status: 'ok' as const, service: service.name, devices: await service.list() };
      } catch (e) {
        if (!(e instanceof VendorCameraError)) throw e;
        if (e.kind !== 'not_configured') logger.info('camera.vendor.unavailable', { kind: e.kind, detail: e.detail });
        return { status: 'unavailable' as const, message: e.message };
      }
    },
    'camera.vendorOpen': ({ deviceId, width, height }) => guard('open', () => service.open(deviceId, width, height)),
    'camera.vendorPreview': ({ deviceId }) =>
      guard('preview', async () => {
        const f = await service.preview(deviceId);
        return { mime: 'image/jpeg' as const, base64: f.jpeg.toString('base64'), width: f.width, height: f.height };
      }),
    'camera.vendorCapture': ({ deviceId }) =>
      guard('capture', async () => {
        const t = Date.now();
        const f = await service.capture(deviceId);
        logger.info('camera.vendor.captured', { width: f.width, height: f.height, bytes: f.jpeg.length, ms: Date.now() - t });
        return { mime: 'image/jpeg' as const, base64: f.jpeg.toString('base64'), width: f.width, height: f.height };
      }),
    'camera.vendorClose': ({ deviceId }) =>
      guard('close', async () => {
        await service.close(deviceId);
        return { ok: true as const };
      }),
  };
}
