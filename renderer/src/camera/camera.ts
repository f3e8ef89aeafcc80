/**
 * Document cameras (高拍仪) behind one adapter interface. Most present
 * themselves as UVC cameras (getUserMedia); vendor SDKs that run a local
 * service (e.g. a WebSocket/HTTP service on 127.0.0.1) get an adapter of their
 * own that delivers the same MediaStream. See docs/scanning.md.
 */
export interface CameraDevice {
  id: string;
  label: string;
  adapter: string;
}

export interface CameraSession {
  /** The live preview (may be smaller than `resolution`, e.g. a vendor service's preview frames). */
  stream: MediaStream;
  /** The resolution of the frames a capture delivers (after asking for the camera's maximum). */
  resolution: { width: number; height: number };
  /** A still taken by the device itself at `resolution` (vendor services); absent: the shutter grabs the stream's frame. */
  capture?(rotation: CameraChoice['rotation']): Promise<ImageData>;
  close(): void;
}

export interface CameraEvents {
  /** The camera failed while open (unplugged, service stopped), with a Chinese message for the clerk. */
  onFailure?(message: string): void;
}

export interface CameraAdapter {
  readonly name: string;
  /** The cameras this adapter can open now; empty (never an error) when there are none. */
  list(): Promise<CameraDevice[]>;
  open(device: CameraDevice, events?: CameraEvents): Promise<CameraSession>;
}

/** Real cameras start at 640×480 unless asked for more: ask for the largest the device offers, explicitly. */
export const uvcAdapter: CameraAdapter = {
  name: 'uvc',
  async list() {
    if (!navigator.mediaDevices?.enumerateDevices) return [];
    // Labels are empty until the page has had camera permission once.
    let devices = await navigator.mediaDevices.enumerateDevices();
    if (devices.some((d) => d.kind === 'videoinput' && !d.label)) {
      const probe = await navigator.mediaDevices.getUserMedia({ video: true }).catch(() => null);
      probe?.getTracks().forEach((t) => t.stop());
      devices = await navigator.mediaDevices.enumerateDevices();
    }
    return devices.filter((d) => d.kind === 'videoinput').map((d, i) => ({ id: d.deviceId, label: d.label || `摄像头 ${i + 1}`, adapter: 'uvc' }));
  },
  async open(device, events = {}) {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: { deviceId: { exact: device.id }, width: { ideal: 8192 }, height: { ideal: 8192 } },
    });
    const track = stream.getVideoTracks()[0]!;
    const caps = typeof track.getCapabilities === 'function' ? track.getCapabilities() : {};
    if (caps.width?.max && caps.height?.max) {
      await track.applyConstraints({ width: { exact: caps.width.max }, height: { exact: caps.height.max } }).catch(() => undefined);
    }
    const s = track.getSettings();
    track.addEventListener('ended', () => events.onFailure?.('摄像头已断开连接：请检查 USB 线后重新选择摄像头。'));
    return { stream, resolution: { width: s.width ?? 0, height: s.height ?? 0 }, close: () => stream.getTracks().forEach((t) => t.stop()) };
  },
};

/** Which camera this desk uses, and its rotation, remembered per desk (this browser profile). */
const CHOICE_KEY = 'desk.camera';
export interface CameraChoice {
  deviceId: string | null;
  rotation: 0 | 90 | 180 | 270;
}
export function loadCameraChoice(): CameraChoice {
  try {
    return { deviceId: null, rotation: 0, ...(JSON.parse(localStorage.getItem(CHOICE_KEY) ?? '{}') as Partial<CameraChoice>) };
  } catch {
    return { deviceId: null, rotation: 0 };
  }
}
export function saveCameraChoice(c: CameraChoice): void {
  localStorage.setItem(CHOICE_KEY, JSON.stringify(c));
}

/** Grabs the current video frame at full resolution, rotated by quarter turns. */
export async function grabFrame(video: HTMLVideoElement, rotation: CameraChoice['rotation']): Promise<ImageData> {
  await new Promise<void>((resolve) => {
    if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(() => resolve());
    else requestAnimationFrame(() => resolve());
  });
  return bitmapToFrame(video, video.videoWidth, video.videoHeight, rotation);
}

/**
 * The current video frame for the live overlay: drawn straight at most `maxSide` px (the canvas
 * scales it; the full frame is never read back), rotated by quarter turns. `scale` maps small to
 * full-frame px; `width`/`height` are the full (rotated) frame's.
 */
export async function grabPreview(video: HTMLVideoElement, rotation: CameraChoice['rotation'], maxSide: number): Promise<{ small: ImageData; scale: number; width: number; height: number }> {
  await new Promise<void>((resolve) => {
    if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(() => resolve());
    else requestAnimationFrame(() => resolve());
  });
  const w = video.videoWidth;
  const h = video.videoHeight;
  const f = Math.min(1, maxSide / Math.max(w, h));
  const sw = Math.max(1, Math.round(w * f));
  const sh = Math.max(1, Math.round(h * f));
  const turned = rotation === 90 || rotation === 270;
  const canvas = new OffscreenCanvas(turned ? sh : sw, turned ? sw : sh);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.translate(canvas.width / 2, canvas.height / 2);
  ctx.rotate((rotation * Math.PI) / 180);
  ctx.drawImage(video, -sw / 2, -sh / 2, sw, sh);
  return { small: ctx.getImageData(0, 0, canvas.width, canvas.height), scale: sw / w, width: turned ? h : w, height: turned ? w : h };
}

/** The pixels of a video frame or decoded image, rotated by quarter turns. */
export function bitmapToFrame(source: CanvasImageSource, w: number, h: number, rotation: CameraChoice['rotation']): ImageData {
  const turned = rotation === 90 || rotation === 270;
  const canvas = new OffscreenCanvas(turned ? h : w, turned ? w : h);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.translate(canvas.width / 2, canvas.height / 2);
  ctx.rotate((rotation * Math.PI) / 180);
  ctx.drawImage(source, -w / 2, -h / 2);
  return ctx.getImageData(0, 0, canvas.width, canvas.height);
}

/** Encodes pixels as JPEG (colour pages) or PNG (black-and-white), plus a small thumbnail. */
export async function encodePage(img: ImageData, mime: 'image/jpeg' | 'image/png'): Promise<{ bytes: Blob; thumb: Blob }> {
  const canvas = new OffscreenCanvas(img.width, img.height);
  canvas.getContext('2d')!.putImageData(img, 0, 0);
  const bytes = await canvas.convertToBlob({ type: mime, quality: 0.9 });
  const scale = Math.min(1, 320 / Math.max(img.width, img.height));
  const t = new OffscreenCanvas(Math.max(1, Math.round(img.width * scale)), Math.max(1, Math.round(img.height * scale)));
  t.getContext('2d')!.drawImage(canvas, 0, 0, t.width, t.height);
  const thumb = await t.convertToBlob({ type: 'image/jpeg', quality: 0.8 });
  return { bytes, thumb };
}
