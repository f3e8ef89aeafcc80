/**
 * Vendor document cameras (高拍仪厂商本地服务). Cameras whose SDK runs a local HTTP/WebSocket service
 * on 127.0.0.1 are reached by the main side, not by the page: the renderer's CSP stays
 * `connect-src 'self'`, the main side pins the service to loopback and checks what comes back.
 * UVC cameras do not use these methods (getUserMedia in the page). See docs/scanning.md.
 */
import { z } from 'zod';
import { Empty, method } from '../method';

const Worker = ['clerk', 'assistant', 'supervisor'] as const;
const DeviceId = z.string().trim().min(1).max(64);
const Size = z.object({ width: z.number().int().positive(), height: z.number().int().positive() });
const Jpeg = z.object({ mime: z.literal('image/jpeg'), base64: z.string(), width: z.number().int().positive(), height: z.number().int().positive() });

export const VendorCameraView = z.object({ id: z.string(), label: z.string(), resolutions: z.array(Size) });
export type VendorCameraView = z.infer<typeof VendorCameraView>;

export const cameraMethods = {
  /** The vendor service's cameras; `unavailable` (with the reason in Chinese) when no service is configured or it does not answer. */
  'camera.vendorList': method({
    access: Worker,
    input: Empty,
    output: z.discriminatedUnion('status', [
      z.object({ status: z.literal('ok'), service: z.string(), devices: z.array(VendorCameraView) }),
      z.object({ status: z.literal('unavailable'), message: z.string() }),
    ]),
  }),
  /** Opens a camera at the given (normally its largest) resolution; answers the resolution it set. */
  'camera.vendorOpen': method({ access: Worker, input: z.object({ deviceId: DeviceId }).extend(Size.shape).strict(), output: Size }),
  /** One preview frame (small JPEG). Polled while the capture page is open, so it does not keep a session awake. */
  'camera.vendorPreview': method({ access: Worker, input: z.object({ deviceId: DeviceId }).strict(), output: Jpeg, passive: true }),
  /** A still at the opened (full) resolution, taken by the device. */
  'camera.vendorCapture': method({ access: Worker, input: z.object({ deviceId: DeviceId }).strict(), output: Jpeg }),
  'camera.vendorClose': method({ access: Worker, input: z.object({ deviceId: DeviceId }).strict(), output: z.object({ ok: z.literal(true) }) }),
} as const;
