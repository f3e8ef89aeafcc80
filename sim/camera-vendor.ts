/**
 * A simulated vendor camera service (高拍仪厂商本地服务): a real HTTP server on 127.0.0.1, modelled on
 * the local services that document-camera SDKs install (Eloam-style HTTP on a fixed port; 捷宇-style
 * services speak the same verbs over WebSocket). The "camera" looks at one of the 5 MP fixture
 * scenes of tests/fixtures/scan/. Used by the tests and by `npm run sim:camera`.
 *
 *   GET  /device/list                     → {code:0, data:[{index, name, serial, resolutions:[[w,h],…]}]}
 *   POST /device/open     {index, width, height}  → {code:0, data:{width, height}}   (set the capture resolution)
 *   GET  /device/preview?index=N          → image/jpeg, one preview frame (640×480), X-Frame-Seq header
 *   POST /device/capture  {index}         → {code:0, data:{width, height, image:<base64 JPEG>}} (full resolution)
 *   POST /device/close    {index}         → {code:0}
 * Vendor errors answer HTTP 200 with a non-zero code, as these services do: 2 = no such device
 * (unplugged), 3 = resolution not supported, 4 = device not opened.
 *
 * Control (tests, demos):
 *   POST /control/fault   {mode:'none'|'unplugged'|'slow', delayMs?}   unplugged: the device is gone
 *                         (list is empty, preview/capture answer code 2); slow: capture waits delayMs
 *   POST /control/scene   {name}   which fixture scene the camera sees (e.g. 'licence-wood')
 *   GET  /control/log              the calls, in order
 * "Service not running" is the server stopped (`close()`), i.e. connection refused.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { decodeJpeg } from '../tests/fixtures/scan/decode-jpeg';
import { encodeJpeg, withComment } from '../tests/helpers/jpeg';
import { BadRequest, listenOnLoopback, type LoopbackServer, readJson, sendJson, type Body } from './http-util';

export const SCENE_DIR = path.resolve(__dirname, '..', 'tests', 'fixtures', 'scan');
export const DEFAULT_SCENE = 'licence-wood';
export const PREVIEW_SIZE = { width: 640, height: 480 } as const;

export type CameraFault = { mode: 'none' } | { mode: 'unplugged' } | { mode: 'slow'; delayMs: number };

export interface RunningCameraService extends LoopbackServer {
  setFault(f: CameraFault): void;
  setScene(name: string): void;
  log(): { at: string; call: string }[];
}

interface Scene {
  name: string;
  full: Buffer;
  width: number;
  height: number;
  preview: Buffer;
}

/** Box-filters the scene to the preview size and encodes it once; frames differ by a comment only. */
function loadScene(name: string): Scene {
  if (!/^[a-z0-9-]+$/.test(name)) throw new Error(`bad scene name ${name}`);
  const full = fs.readFileSync(path.join(SCENE_DIR, `${name}.jpg`));
  const img = decodeJpeg(full);
  const { width: pw, height: ph } = PREVIEW_SIZE;
  const sx = img.width / pw;
  const sy = img.height / ph;
  const small = new Uint8Array(pw * ph * 3);
  for (let y = 0; y < ph; y++) {
    for (let x = 0; x < pw; x++) {
      const x0 = Math.floor(x * sx), x1 = Math.max(x0 + 1, Math.floor((x + 1) * sx));
      const y0 = Math.floor(y * sy), y1 = Math.max(y0 + 1, Math.floor((y + 1) * sy));
      let r = 0, g = 0, b = 0;
      for (let yy = y0; yy < y1; yy++) {
        for (let xx = x0; xx < x1; xx++) {
          const i = (yy * img.width + xx) * 4;
          r += img.data[i]!;
          g += img.data[i + 1]!;
          b += img.data[i + 2]!;
        }
      }
      const n = (x1 - x0) * (y1 - y0);
      const o = (y * pw + x) * 3;
      small[o] = r / n;
      small[o + 1] = g / n;
      small[o + 2] = b / n;
    }
  }
  const preview = encodeJpeg({ width: pw, height: ph, quality: 80, pixel: (x, y) => [small[(y * pw + x) * 3]!, small[(y * pw + x) * 3 + 1]!, small[(y * pw + x) * 3 + 2]!] });
  return { name, full, width: img.width, height: img.height, preview };
}

export function startCameraService(opts: { port?: number; scene?: string } = {}): Promise<RunningCameraService> {
  const scenes = new Map<string, Scene>();
  const sceneNamed = (name: string) => {
    let s = scenes.get(name);
    if (!s) scenes.set(name, (s = loadScene(name)));
    return s;
  };
  let scene = sceneNamed(opts.scene ?? DEFAULT_SCENE);
  let fault: CameraFault = { mode: 'none' };
  let opened: { width: number; height: number } | null = null;
  let seq = 0;
  const calls: { at: string; call: string }[] = [];
  const device = () => ({
    index: 0,
    name: 'SIM-高拍仪 S500A3',
    serial: 'SIM0000500',
    resolutions: [
      [scene.width, scene.height],
      [PREVIEW_SIZE.width, PREVIEW_SIZE.height],
    ],
  });

  const server = http.createServer((req, res) => {
    void (async () => {
      const json = (status: number, body: unknown) => sendJson(res, status, body);
      let body: Body;
      try {
        body = await readJson(req);
      } catch (e) {
        return json(400, { code: 1, message: e instanceof BadRequest ? e.message : 'bad request' });
      }
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const route = `${req.method} ${url.pathname}`;
      if (!url.pathname.startsWith('/control/')) calls.push({ at: new Date().toISOString(), call: route });
      const gone = fault.mode === 'unplugged';
      const index = Number(url.searchParams.get('index') ?? body.index ?? 0);
      const noDevice = () => json(200, { code: 2, message: 'device not found' });
      switch (route) {
        case 'POST /control/fault':
          fault = body as CameraFault;
          if (fault.mode === 'unplugged') opened = null;
          return json(200, { ok: true });
        case 'POST /control/scene':
          try {
            scene = sceneNamed(String(body.name));
          } catch (e) {
            return json(400, { message: String(e) });
          }
          return json(200, { ok: true, width: scene.width, height: scene.height });
        case 'GET /control/log':
          return json(200, calls);
        case 'GET /device/list':
          return json(200, { code: 0, message: 'ok', data: gone ? [] : [device()] });
        case 'POST /device/open': {
          if (gone || index !== 0) return noDevice();
          const w = Number(body.width), h = Number(body.height);
          if (!device().resolutions.some(([rw, rh]) => rw === w && rh === h)) return json(200, { code: 3, message: 'resolution not supported' });
          opened = { width: w, height: h };
          return json(200, { code: 0, data: opened });
        }
        case 'POST /device/close':
          opened = null;
          return json(200, { code: 0 });
        case 'GET /device/preview': {
          if (gone || index !== 0) return noDevice();
          if (!opened) return json(200, { code: 4, message: 'device not opened' });
          const frame = withComment(scene.preview, `frame ${++seq}`);
          res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': frame.length, 'X-Frame-Seq': String(seq) });
          return res.end(frame);
        }
        case 'POST /device/capture': {
          if (gone || index !== 0) return noDevice();
          if (!opened) return json(200, { code: 4, message: 'device not opened' });
          const full = opened.width === scene.width;
          const answer = () => {
            if (fault.mode === 'unplugged') return noDevice();
            const image = (full ? scene.full : scene.preview).toString('base64');
            json(200, { code: 0, data: { width: full ? scene.width : PREVIEW_SIZE.width, height: full ? scene.height : PREVIEW_SIZE.height, image } });
          };
          if (fault.mode === 'slow') setTimeout(answer, fault.delayMs);
          else answer();
          return;
        }
        default:
          return json(404, { code: 1, message: 'no such endpoint' });
      }
    })();
  });

  return listenOnLoopback(server, opts.port).then((s) => ({
    ...s,
    setFault: (f: CameraFault) => {
      fault = f;
      if (f.mode === 'unplugged') opened = null;
    },
    setScene: (name: string) => {
      scene = sceneNamed(name);
    },
    log: () => [...calls],
  }));
}

// `npx tsx sim/camera-vendor.ts [port] [scene]` (npm run sim:camera): runs until stopped.
if (process.argv[1] && /camera-vendor\.ts$/.test(process.argv[1])) {
  const port = Number(process.argv[2] ?? 38088);
  void startCameraService({ port, scene: process.argv[3] }).then((s) => {
    console.log(`simulated vendor camera service on ${s.url} (scene ${process.argv[3] ?? DEFAULT_SCENE}); start the desk with DESK_CAMERA_VENDOR_URL=${s.url}`);
  });
}
