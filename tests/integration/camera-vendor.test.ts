import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';
import { startCameraService, SCENE_DIR, type RunningCameraService } from '../../sim/camera-vendor';
import { HttpVendorCameraService, jpegSize, loopbackUrl } from '../../electron/services/camera-vendor/vendor-camera-client';

/**
 * The vendor camera path, main side: the desk's dispatcher → HttpVendorCameraService → the
 * simulated vendor service on loopback (sim/camera-vendor.ts), with its faults on the wire.
 */
let sim: RunningCameraService;
let desk: TestDesk;
let token: string;
const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: CallFailed) => e.error,
  );

beforeAll(async () => {
  sim = await startCameraService();
  desk = await testDesk({ cameraVendor: sim.url });
  token = (await desk.signIn('zhangmin')).token;
});
afterAll(async () => {
  desk.app.close();
  await sim.close();
});

describe('vendor camera service through the desk', () => {
  it('lists the device, opens it at full resolution, streams preview frames and captures the full-resolution still', async () => {
    const list = await desk.call('camera.vendorList', {}, token);
    expect(list.status).toBe('ok');
    if (list.status !== 'ok') return;
    expect(list.devices).toHaveLength(1);
    const dev = list.devices[0]!;
    const largest = dev.resolutions.reduce((a, b) => (a.width * a.height >= b.width * b.height ? a : b));
    expect(largest).toEqual({ width: 2592, height: 1944 });
    expect(await desk.call('camera.vendorOpen', { deviceId: dev.id, ...largest }, token)).toEqual(largest);

    const a = await desk.call('camera.vendorPreview', { deviceId: dev.id }, token);
    const b = await desk.call('camera.vendorPreview', { deviceId: dev.id }, token);
    expect([a.width, a.height]).toEqual([640, 480]);
    expect(a.base64).not.toBe(b.base64); // a stream: every frame is a new frame

    const shot = await desk.call('camera.vendorCapture', { deviceId: dev.id }, token);
    expect([shot.width, shot.height]).toEqual([2592, 1944]);
    // The very bytes of the scene the camera looks at, untouched on the way.
    expect(Buffer.from(shot.base64, 'base64').equals(fs.readFileSync(path.join(SCENE_DIR, 'licence-wood.jpg')))).toBe(true);
    expect(sim.log().map((c) => c.call)).toEqual(['GET /device/list', 'POST /device/open', 'GET /device/preview', 'GET /device/preview', 'POST /device/capture']);
  });

  it('a resolution the device does not offer is refused with a Chinese message', async () => {
    const err = await failure(desk.call('camera.vendorOpen', { deviceId: '0', width: 4000, height: 3000 }, token));
    expect(err?.code).toBe('UNAVAILABLE');
    expect(err?.message).toContain('高拍仪服务拒绝了请求');
  });

  it('device unplugged mid-session: preview and capture fail with a clear message, the list is empty; plugged back in, it works again', async () => {
    await desk.call('camera.vendorOpen', { deviceId: '0', width: 2592, height: 1944 }, token);
    sim.setFault({ mode: 'unplugged' });
    for (const m of ['camera.vendorPreview', 'camera.vendorCapture'] as const) {
      const err = await failure(desk.call(m, { deviceId: '0' }, token));
      expect(err).toEqual({ code: 'UNAVAILABLE', message: '高拍仪已断开连接：请检查 USB 线后重新选择摄像头。' });
    }
    expect(await desk.call('camera.vendorList', {}, token)).toMatchObject({ status: 'ok', devices: [] });
    expect(desk.app.logger.recent().some((e) => e.event === 'camera.vendor.failed' && e.kind === 'unplugged')).toBe(true);
    sim.setFault({ mode: 'none' });
    await desk.call('camera.vendorOpen', { deviceId: '0', width: 2592, height: 1944 }, token);
    expect((await desk.call('camera.vendorCapture', { deviceId: '0' }, token)).width).toBe(2592);
  });

  it('a slow capture is waited for within the limit, and given up with a timeout message beyond it', async () => {
    sim.setFault({ mode: 'slow', delayMs: 400 });
    const t = Date.now();
    expect((await desk.call('camera.vendorCapture', { deviceId: '0' }, token)).height).toBe(1944);
    expect(Date.now() - t).toBeGreaterThanOrEqual(400);
    sim.setFault({ mode: 'slow', delayMs: 1500 });
    const limited = new HttpVendorCameraService(sim.url, { captureMs: 300 }); // the same client with a short limit, so the test does not wait 15 s
    await expect(limited.capture('0')).rejects.toMatchObject({ kind: 'timeout', message: expect.stringContaining('没有应答') });
    sim.setFault({ mode: 'none' });
  });

  it('service not running: the list says so (no vendor camera offered), calls fail with a Chinese message', async () => {
    const down = await startCameraService();
    const url = down.url;
    await down.close();
    const other = await testDesk({ cameraVendor: url });
    try {
      const t = (await other.signIn('zhangmin')).token;
      expect(await other.call('camera.vendorList', {}, t)).toEqual({ status: 'unavailable', message: '高拍仪服务未运行：请启动厂商的高拍仪服务程序，或改用 USB 摄像头。' });
      expect((await failure(other.call('camera.vendorCapture', { deviceId: '0' }, t)))?.code).toBe('UNAVAILABLE');
    } finally {
      other.app.close();
    }
  });

  it('without a configured service the list is unavailable and nothing is contacted', async () => {
    const plain = await testDesk();
    try {
      const t = (await plain.signIn('zhangmin')).token;
      expect(await plain.call('camera.vendorList', {}, t)).toMatchObject({ status: 'unavailable' });
    } finally {
      plain.app.close();
    }
  });

  it('only a loopback address is accepted for the vendor service; JPEG sizes are read from the file', () => {
    expect(() => loopbackUrl('http://192.168.1.20:38088')).toThrow(/127\.0\.0\.1/);
    expect(loopbackUrl('http://127.0.0.1:38088').port).toBe('38088');
    expect(jpegSize(fs.readFileSync(path.join(SCENE_DIR, 'id-card-dark.jpg')))).toEqual({ width: 2560, height: 1920 });
  });
});
