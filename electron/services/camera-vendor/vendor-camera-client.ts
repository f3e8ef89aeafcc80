/**
 * The desk's client for a vendor camera service on 127.0.0.1 (the protocol of sim/camera-vendor.ts,
 * modelled on Eloam-style HTTP services). A real vendor whose service speaks another dialect gets
 * its own class implementing `VendorCameraService`; see docs/scanning.md.
 */
import { judgeImage } from '../images/image-check';

export interface VendorDevice {
  id: string;
  label: string;
  resolutions: { width: number; height: number }[];
}
export interface VendorJpeg {
  jpeg: Buffer;
  width: number;
  height: number;
}

export interface VendorCameraService {
  /** Service name for the camera list, e.g. the vendor's. */
  readonly name: string;
  list(): Promise<VendorDevice[]>;
  open(id: string, width: number, height: number): Promise<{ width: number; height: number }>;
  preview(id: string): Promise<VendorJpeg>;
  capture(id: string): Promise<VendorJpeg>;
  close(id: string): Promise<void>;
}

export type VendorFailure = 'not_configured' | 'not_running' | 'unplugged' | 'timeout' | 'refused' | 'bad_reply';

/** A failure with a Chinese message the clerk can act on; `kind` for programs and logs. */
export class VendorCameraError extends Error {
  constructor(
    readonly kind: VendorFailure,
    message: string,
    readonly detail = '',
  ) {
    super(message);
  }
}

export interface VendorLimits {
  previewBytes: number;
  captureBytes: number;
  listMs: number;
  previewMs: number;
  captureMs: number;
}
export const VENDOR_LIMITS: Readonly<VendorLimits> = { previewBytes: 4 * 1024 * 1024, captureBytes: 20 * 1024 * 1024, listMs: 1500, previewMs: 3000, captureMs: 15_000 };

/** Refuses any address but loopback: a camera service on another machine is not a desk camera. */
export function loopbackUrl(raw: string): URL {
  const url = new URL(raw);
  if (url.protocol !== 'http:' || !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error(`DESK_CAMERA_VENDOR_URL must be http://127.0.0.1:<port>, got ${raw}`);
  }
  return url;
}

/** Width and height of a whole, acceptable JPEG (services/images/image-check.ts), or null. */
export function jpegSize(b: Buffer): { width: number; height: number } | null {
  const v = judgeImage(b, '高拍仪画面', { accept: ['image/jpeg'] });
  return 'problem' in v ? null : { width: v.width, height: v.height };
}

type VendorReply<T> = { code: number; message?: string; data?: T };

export class HttpVendorCameraService implements VendorCameraService {
  readonly name = '厂商高拍仪服务';
  private readonly base: URL;
  private readonly limits: VendorLimits;
  constructor(baseUrl: string, limits: Partial<VendorLimits> = {}) {
    this.base = loopbackUrl(baseUrl);
    this.limits = { ...VENDOR_LIMITS, ...limits };
  }

  private async request(method: 'GET' | 'POST', pathname: string, body: unknown, timeoutMs: number): Promise<Response> {
    try {
      return await fetch(new URL(pathname, this.base), {
        method,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (e) {
      const err = e as Error & { cause?: { code?: string } };
      if (err.name === 'TimeoutError') throw new VendorCameraError('timeout', `高拍仪服务在 ${Math.round(timeoutMs / 1000)} 秒内没有应答，请稍后重试或重新插拔高拍仪。`, `${method} ${pathname}`);
      throw new VendorCameraError('not_running', '高拍仪服务未运行：请启动厂商的高拍仪服务程序，或改用 USB 摄像头。', `${method} ${pathname}: ${err.cause?.code ?? err.message}`);
    }
  }

  private async call<T>(method: 'GET' | 'POST', pathname: string, body: unknown, timeoutMs: number, maxBytes = 64 * 1024): Promise<T> {
    const res = await this.request(method, pathname, body, timeoutMs);
    const text = await readCapped(res, maxBytes);
    let reply: VendorReply<T>;
    try {
      reply = JSON.parse(text.toString('utf8')) as VendorReply<T>;
    } catch {
      throw new VendorCameraError('bad_reply', '高拍仪服务的应答无法识别。', `${pathname}: HTTP ${res.status}, not JSON`);
    }
    if (reply.code === 2) throw new VendorCameraError('unplugged', '高拍仪已断开连接：请检查 USB 线后重新选择摄像头。', `${pathname}: ${reply.message ?? ''}`);
    if (reply.code !== 0 || !res.ok) throw new VendorCameraError('refused', `高拍仪服务拒绝了请求（代码 ${reply.code}）。`, `${pathname}: HTTP ${res.status} ${reply.message ?? ''}`);
    return reply.data as T;
  }

  async list(): Promise<VendorDevice[]> {
    const data = await this.call<{ index: number; name: string; resolutions: [number, number][] }[]>('GET', '/device/list', undefined, this.limits.listMs);
    if (!Array.isArray(data)) throw new VendorCameraError('bad_reply', '高拍仪服务的设备列表无法识别。', 'list: data is not an array');
    return data.map((d) => ({ id: String(d.index), label: String(d.name), resolutions: d.resolutions.map(([width, height]) => ({ width, height })) }));
  }

  async open(id: string, width: number, height: number) {
    const d = await this.call<{ width: number; height: number }>('POST', '/device/open', { index: Number(id), width, height }, this.limits.previewMs);
    return { width: d.width, height: d.height };
  }

  async preview(id: string): Promise<VendorJpeg> {
    const res = await this.request('GET', `/device/preview?index=${encodeURIComponent(id)}`, undefined, this.limits.previewMs);
    if (!(res.headers.get('content-type') ?? '').startsWith('image/jpeg')) {
      // Errors come back as JSON with a vendor code.
      const text = await readCapped(res, 64 * 1024);
      const code = (JSON.parse(text.toString('utf8') || '{}') as VendorReply<unknown>).code;
      if (code === 2) throw new VendorCameraError('unplugged', '高拍仪已断开连接：请检查 USB 线后重新选择摄像头。', 'preview: code 2');
      throw new VendorCameraError('refused', `高拍仪预览失败（代码 ${code}）。`, `preview: HTTP ${res.status}`);
    }
    return checked(await readCapped(res, this.limits.previewBytes), 'preview');
  }

  async capture(id: string): Promise<VendorJpeg> {
    const d = await this.call<{ width: number; height: number; image: string }>('POST', '/device/capture', { index: Number(id) }, this.limits.captureMs, Math.ceil((this.limits.captureBytes * 4) / 3) + 4096);
    const shot = checked(Buffer.from(d.image, 'base64'), 'capture');
    if (shot.width !== d.width || shot.height !== d.height) throw new VendorCameraError('bad_reply', '高拍仪返回的图像尺寸与声明不符。', `capture: says ${d.width}x${d.height}, JPEG is ${shot.width}x${shot.height}`);
    return shot;
  }

  async close(id: string): Promise<void> {
    await this.call('POST', '/device/close', { index: Number(id) }, this.limits.listMs);
  }
}

/** The one image check (services/images/image-check.ts), JPEG only, before a frame goes anywhere. */
function checked(jpeg: Buffer, what: string): VendorJpeg {
  const v = judgeImage(jpeg, '高拍仪返回的图像', { accept: ['image/jpeg'] });
  if ('problem' in v) throw new VendorCameraError('bad_reply', `高拍仪返回的不是有效的 JPEG 图像：${v.problem}。`, `${what}: ${jpeg.length} bytes, ${v.reason}`);
  return { jpeg, width: v.width, height: v.height };
}

async function readCapped(res: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? 0);
  if (declared > maxBytes) throw new VendorCameraError('bad_reply', '高拍仪返回的数据过大。', `${declared} > ${maxBytes} bytes`);
  const buf = Buffer.from(await res.arrayBuffer());
  if (buf.length > maxBytes) throw new VendorCameraError('bad_reply', '高拍仪返回的数据过大。', `${buf.length} > ${maxBytes} bytes`);
  return buf;
}

/** No vendor service configured (DESK_CAMERA_VENDOR_URL unset): the list is simply empty. */
export class UnconfiguredVendorCamera implements VendorCameraService {
  readonly name = '未配置';
  private fail(): never {
    throw new VendorCameraError('not_configured', '未配置厂商高拍仪服务。');
  }
  list = async () => this.fail();
  open = async () => this.fail();
  preview = async () => this.fail();
  capture = async () => this.fail();
  close = async () => this.fail();
}
