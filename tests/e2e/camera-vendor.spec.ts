import { expect, test } from '@playwright/test';
import { startHost, type RunningHost } from './support/host';
import { startCameraService, type RunningCameraService } from '../../sim/camera-vendor';
import { startStandaloneScan } from './support/scan';

/**
 * A document camera behind a vendor's local service (the simulator on loopback), in the real
 * browser with no UVC camera at all: the capture page lists it because the service answers, opens
 * it at its full 5 MP, shows its preview stream, stores a page from the device's own full-resolution
 * still, and tells the clerk when the device is unplugged mid-session.
 */
let sim: RunningCameraService;
let host: RunningHost;

test.beforeAll(async () => {
  sim = await startCameraService({ scene: 'licence-wood' });
  host = await startHost({ env: { DESK_CAMERA_VENDOR_URL: sim.url } });
});
test.afterAll(async () => {
  await host?.kill();
  await sim?.close();
});

test('captures a page through the vendor camera service at full resolution; an unplugged device is reported', async ({ page }) => {
  await page.goto(host.url);
  await page.getByPlaceholder('用户名').fill('zhangmin');
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.getByRole('menuitem', { name: '高拍仪扫描' }).click();

  await expect(page.getByTestId('scan-page')).toContainText('SIM-高拍仪 S500A3（厂商服务）');
  await expect(page.getByTestId('scan-resolution')).toContainText('2592×1944'); // asked for the largest still
  // The preview plays: frames keep arriving from the service.
  await expect.poll(() => sim.log().filter((c) => c.call === 'GET /device/preview').length).toBeGreaterThan(5);
  await expect.poll(() => page.getByTestId('scan-video').evaluate((v: HTMLVideoElement) => v.videoWidth)).toBe(640);

  await startStandaloneScan(page, { applicant: '王芳', title: '营业执照（副本）' });
  await page.getByTestId('shutter').click();
  await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(1, { timeout: 30_000 }); // OpenCV loads in its worker first
  expect(sim.log().filter((c) => c.call === 'POST /device/capture')).toHaveLength(1);

  // What the host stored: a page from the 5 MP still, recorded as coming from the vendor adapter.
  const stored = await page.evaluate(async () => {
    const token = sessionStorage.getItem('desk.hostToken');
    const session = (JSON.parse(sessionStorage.getItem('desk.session') ?? '{}') as { token: string }).token;
    const post = async (method: string, input: unknown) =>
      ((await (await fetch('/api/rpc', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify({ id: method, method, input, session }) })).json()) as { value: unknown }).value;
    const docs = (await post('scans.listDocuments', {})) as { id: number }[];
    return (await post('scans.getDocument', { documentId: docs[0]!.id })) as { pages: { width: number; height: number; capture: { adapter: string; resolution: { width: number; height: number } } }[] };
  });
  expect(stored.pages).toHaveLength(1);
  expect(stored.pages[0]!.capture.adapter).toBe('vendor');
  expect(stored.pages[0]!.capture.resolution).toEqual({ width: 2592, height: 1944 });
  // The licence (A4 landscape, ~1980 px across in the scene) cropped out of the frame, not the whole frame.
  expect(stored.pages[0]!.width).toBeGreaterThan(1800);
  expect(stored.pages[0]!.width).toBeLessThan(2200);
  await page.screenshot({ path: test.info().outputPath('vendor-camera.png') });

  sim.setFault({ mode: 'unplugged' });
  await expect(page.getByTestId('scan-page')).toContainText('高拍仪已断开连接');
  await expect(page.getByTestId('shutter')).toBeDisabled();
  await page.screenshot({ path: test.info().outputPath('vendor-camera-unplugged.png') });
});
