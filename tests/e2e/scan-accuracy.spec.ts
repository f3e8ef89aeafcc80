import fs from 'node:fs';
import path from 'node:path';
import { chromium, expect, test, type Page } from '@playwright/test';
import { PDFDocument } from 'pdf-lib';
import { freshDir, ROOT, startHost, type RunningHost } from './support/host';
import { CHROMIUM, CHROMIUM_ARGS, assertChromium } from './support/browser';
import { documentScene, writeY4m } from '../helpers/y4m';
import { decodeJpeg, type DecodedImage } from '../fixtures/scan/decode-jpeg';
import { startStandaloneScan } from './support/scan';

/**
 * The OpenCV pipeline in the real browser, end to end: Chromium's fake camera plays a committed
 * 5 MP scene (tests/fixtures/scan, true corners in truth.json) converted to .y4m at run time; the
 * capture screen must find the page's outline live, capture it, and store a straight, cropped
 * page whose corners (scans metadata) are within a few pixels of the truth; the document exports
 * as a PDF with one page per capture.
 */
const FIXTURES = path.join(ROOT, 'tests/fixtures/scan');
/** Live overlay (detected on a 640 px frame, refined): px of the delivered frame. */
const OVERLAY_TOLERANCE = 6;
/** Stored corners (refined on the full frame at the shutter): px of the delivered frame. */
const STORED_TOLERANCE = 3;
/** Stored page's width/height against the true page's. */
const ASPECT_TOLERANCE = 0.015;

interface Fixture {
  name: string;
  file: string;
  width: number;
  height: number;
  corners: [number, number][];
  page: { mm: [number, number]; aspect: number };
  seal: { cx: number; cy: number; r: number } | null;
}
const truth = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'truth.json'), 'utf8')) as { fixtures: Fixture[] };
const fixture = (name: string) => truth.fixtures.find((f) => f.name === name)!;

type Quad = { x: number; y: number }[];
const errors = (found: Quad, want: Quad) => found.map((p, i) => Math.hypot(p.x - want[i]!.x, p.y - want[i]!.y));
const fmt = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(' / ');
const figures: string[] = [];

let host: RunningHost;
test.beforeAll(async () => {
  host = await startHost();
});
test.afterAll(async () => {
  await host.kill();
  if (figures.length) console.log(`scan accuracy in Chromium (fake camera):\n${figures.join('\n')}`);
});

/** The fixture's pixels as a y4m the fake camera plays (from the decoded JPEG, no ffmpeg). */
function y4mFor(fx: Fixture): { file: string; img: DecodedImage } {
  const img = decodeJpeg(fs.readFileSync(path.join(FIXTURES, fx.file)));
  const rgb = new Uint8Array(img.width * img.height * 3);
  for (let i = 0, j = 0; i < img.data.length; i += 4, j += 3) {
    rgb[j] = img.data[i]!;
    rgb[j + 1] = img.data[i + 1]!;
    rgb[j + 2] = img.data[i + 2]!;
  }
  const file = path.join(freshDir('desk-scan-acc-'), `${fx.name}.y4m`);
  writeY4m(file, { width: img.width, height: img.height, data: rgb }, 2);
  return { file, img };
}

async function withCamera(y4m: string, fn: (page: Page) => Promise<void>, opts: { consoleErrorsExpected?: boolean } = {}) {
  assertChromium();
  const ctx = await chromium.launchPersistentContext(freshDir('desk-scan-acc-profile-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`],
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
  });
  const problems: string[] = [];
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    page.on('console', (m) => {
      if (m.location().url.endsWith('/favicon.ico')) return; // the host serves no icon; not ours
      if (m.type() === 'error' || /EvalError|Content Security Policy|unsafe-eval/i.test(m.text())) problems.push(`${m.text()} ${m.location().url}`);
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('worker', (w) => w.on('console', (m) => m.type() === 'error' && problems.push(`worker: ${m.text()}`)));
    await page.goto(host.url);
    await page.getByPlaceholder('用户名').fill('zhangmin');
    await page.getByPlaceholder('密码').fill('Desk@2026');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await fn(page);
    if (!opts.consoleErrorsExpected) expect(problems, 'console errors (CSP / eval / worker)').toEqual([]);
  } finally {
    await ctx.close();
  }
}

/** Calls the desk's RPC from the page, with its session. */
async function rpc<T>(page: Page, method: string, input: unknown): Promise<T> {
  return page.evaluate(
    async ({ method, input }) => {
      const token = sessionStorage.getItem('desk.hostToken');
      const session = (JSON.parse(sessionStorage.getItem('desk.session') ?? '{}') as { token: string }).token;
      const res = await fetch('/api/rpc', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify({ id: method, method, input, session }) });
      const body = (await res.json()) as { ok: boolean; value: unknown; error?: unknown };
      if (!body.ok) throw new Error(JSON.stringify(body.error));
      return body.value;
    },
    { method, input },
  ) as Promise<T>;
}

interface StoredPage {
  id: number;
  width: number;
  height: number;
  mode: string;
  corners: Quad | null;
  capture: { trigger: string; blank: boolean; resolution: { width: number; height: number } };
}
interface StoredDoc {
  id: number;
  pages: StoredPage[];
}

async function startDocument(page: Page, title: string): Promise<{ width: number; height: number }> {
  await page.getByRole('menuitem', { name: '高拍仪扫描' }).click();
  await startStandaloneScan(page, { applicant: '王芳', title });
  await expect(page.getByTestId('scan-preview')).toHaveAttribute('data-engine', 'opencv', { timeout: 30_000 });
  const text = (await page.getByTestId('scan-resolution').textContent()) ?? '';
  const m = /(\d+)×(\d+)/.exec(text)!;
  return { width: Number(m[1]), height: Number(m[2]) };
}

async function overlayCorners(page: Page): Promise<Quad> {
  const overlay = page.getByTestId('corner-overlay');
  await expect(overlay).toBeVisible({ timeout: 20_000 });
  const raw = JSON.parse((await overlay.getAttribute('data-corners'))!) as [number, number][];
  return raw.map(([x, y]) => ({ x, y }));
}

/** Mean RGB over a set of pixels of a decoded image. */
function meanRgb(img: DecodedImage, pick: (x: number, y: number) => boolean, step = 3): [number, number, number] {
  let r = 0;
  let g = 0;
  let b = 0;
  let n = 0;
  for (let y = 0; y < img.height; y += step)
    for (let x = 0; x < img.width; x += step)
      if (pick(x, y)) {
        const o = (y * img.width + x) * 4;
        r += img.data[o]!;
        g += img.data[o + 1]!;
        b += img.data[o + 2]!;
        n++;
      }
  return [r / n, g / n, b / n];
}
const dist = (a: number[], b: number[]) => Math.hypot(a[0]! - b[0]!, a[1]! - b[1]!, a[2]! - b[2]!);

/** Signed distance-ish test: is (x, y) outside the quad by at least `margin` px (convex, clockwise)? */
function outsideBy(q: Quad, x: number, y: number, margin: number): boolean {
  for (let i = 0; i < 4; i++) {
    const a = q[i]!;
    const b = q[(i + 1) % 4]!;
    const len = Math.hypot(b.x - a.x, b.y - a.y);
    const cross = ((b.x - a.x) * (y - a.y) - (b.y - a.y) * (x - a.x)) / len; // > 0 inside for clockwise (y down)
    if (cross < -margin) return true;
  }
  return false;
}

const cases = [
  { name: 'licence-wood', title: '营业执照（正本）', pages: 2 },
  { name: 'id-card-dark', title: '居民身份证', pages: 1 },
  { name: 'dense-text-uneven', title: '户籍证明', pages: 1 },
];

for (const c of cases) {
  test(`${c.name}: outline found live, page stored straight and cropped, PDF with ${c.pages} page(s)`, async () => {
    test.setTimeout(180_000);
    const fx = fixture(c.name);
    const { file, img: scene } = y4mFor(fx);
    await withCamera(file, async (page) => {
      const frame = await startDocument(page, c.title);
      const scale = frame.width / fx.width;
      expect(frame.height / fx.height).toBeCloseTo(scale, 3);
      const want: Quad = fx.corners.map(([x, y]) => ({ x: x * scale, y: y * scale }));

      // The live overlay follows the page.
      await expect.poll(async () => Math.max(...errors(await overlayCorners(page), want)), { timeout: 20_000 }).toBeLessThan(OVERLAY_TOLERANCE);
      const overlayErr = errors(await overlayCorners(page), want);
      await page.screenshot({ path: test.info().outputPath(`${c.name}-live.png`) });

      // The worker warps with the WebAssembly kernels here, under the app's own CSP.
      await expect(page.getByTestId('scan-page')).toHaveAttribute('data-warp-kernels', 'wasm');

      // Colour is the default mode.
      await expect(page.getByTestId('scan-mode')).toContainText('彩色');
      for (let i = 1; i <= c.pages; i++) {
        if (i === 2) {
          // The second page in black-and-white (the clerk's choice; thresholding turns the seal black).
          await page.getByTestId('scan-mode').click();
          await page.getByTitle('黑白').click();
          await expect(page.getByTestId('scan-mode')).toContainText('黑白');
        }
        await page.getByTestId('shutter').click();
        await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(i, { timeout: 20_000 });
      }
      await page.screenshot({ path: test.info().outputPath(`${c.name}-captured.png`) });

      const docs = await rpc<{ id: number }[]>(page, 'scans.listDocuments', {});
      const doc = await rpc<StoredDoc>(page, 'scans.getDocument', { documentId: docs[0]!.id });
      expect(doc.pages).toHaveLength(c.pages);
      const p = doc.pages[0]!;
      expect(p.mode).toBe('color');
      expect(p.capture).toMatchObject({ trigger: 'manual', blank: false, resolution: frame });
      const storedErr = errors(p.corners!, want);
      expect(Math.max(...storedErr), `stored corners ${JSON.stringify(p.corners)} vs ${JSON.stringify(want)}`).toBeLessThan(STORED_TOLERANCE);

      // Straight and cropped: the true page's aspect, and its border is paper, not desk.
      const aspect = p.width / p.height;
      const aspectErr = aspect / fx.page.aspect - 1;
      expect(Math.abs(aspectErr)).toBeLessThan(ASPECT_TOLERANCE);
      const image = await rpc<{ mime: string; base64: string }>(page, 'scans.pageImage', { pageId: p.id });
      expect(image.mime).toBe('image/jpeg');
      fs.writeFileSync(test.info().outputPath(`${c.name}-page.jpg`), Buffer.from(image.base64, 'base64'));
      const stored = decodeJpeg(Buffer.from(image.base64, 'base64'));
      expect([stored.width, stored.height]).toEqual([p.width, p.height]);
      const bw = Math.max(3, Math.round(0.012 * Math.min(stored.width, stored.height)));
      const border = meanRgb(stored, (x, y) => x < bw || y < bw || x >= stored.width - bw || y >= stored.height - bw, 1);
      const inner = bw * 3;
      const paper = meanRgb(stored, (x, y) => (x >= inner && x < inner + bw) || (y >= inner && y < inner + bw), 1);
      const sceneQuad: Quad = fx.corners.map(([x, y]) => ({ x, y }));
      const desk = meanRgb(scene, (x, y) => outsideBy(sceneQuad, x, y, 30) && !outsideBy(sceneQuad, x, y, 120), 2);
      const toDesk = dist(border, desk);
      const toPaper = dist(border, paper);
      expect(toPaper, `border ${border.map(Math.round)} paper ${paper.map(Math.round)} desk ${desk.map(Math.round)}`).toBeLessThan(toDesk / 3);

      // A red seal stays red in colour mode.
      let sealNote = '';
      if (fx.seal) {
        const { cx, cy, r } = fx.seal;
        const R = r * stored.width;
        let red = 0;
        let all = 0;
        for (let y = Math.floor(cy * stored.height - R); y < cy * stored.height + R; y++)
          for (let x = Math.floor(cx * stored.width - R); x < cx * stored.width + R; x++) {
            if (Math.hypot(x - cx * stored.width, y - cy * stored.height) > R) continue;
            const o = (y * stored.width + x) * 4;
            all++;
            if (stored.data[o]! > stored.data[o + 1]! + 60 && stored.data[o]! > stored.data[o + 2]! + 60) red++;
          }
        expect(red / all).toBeGreaterThan(0.05);
        sealNote = `, red seal ${((100 * red) / all).toFixed(1)} % red pixels`;
      }

      if (c.pages > 1) {
        const bw = doc.pages[1]!;
        expect(bw.mode).toBe('bw');
        const png = await rpc<{ mime: string; base64: string }>(page, 'scans.pageImage', { pageId: bw.id });
        expect(png.mime).toBe('image/png');
        expect(Math.max(...errors(bw.corners!, want))).toBeLessThan(STORED_TOLERANCE);
      }

      const pdf = await rpc<{ base64: string }>(page, 'scans.exportPdf', { documentId: doc.id });
      expect((await PDFDocument.load(Buffer.from(pdf.base64, 'base64'))).getPageCount()).toBe(c.pages);

      figures.push(
        `  ${c.name.padEnd(18)} frame ${frame.width}×${frame.height}; overlay corner error ${fmt(overlayErr)} px; stored ${fmt(storedErr)} px; ` +
          `page ${p.width}×${p.height}, aspect ${(aspectErr * 100).toFixed(2)} %; border→paper ${toPaper.toFixed(0)}, border→desk ${toDesk.toFixed(0)}${sealNote}`,
      );
    });
  });
}

test('no page in view (the empty desk): the whole frame is kept as it is, and the clerk is told', async () => {
  test.setTimeout(180_000);
  const { file } = y4mFor(fixture('empty-desk'));
  await withCamera(file, async (page) => {
    const frame = await startDocument(page, '整幅画面测试');
    // No outline on the overlay.
    await expect(page.getByTestId('corner-overlay')).toHaveCount(0);
    await page.getByTestId('shutter').click();
    await expect(page.getByText('未检测到材料边缘，已保存整幅画面')).toBeVisible({ timeout: 20_000 });
    await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(1);
    const docs = await rpc<{ id: number }[]>(page, 'scans.listDocuments', {});
    const doc = await rpc<StoredDoc>(page, 'scans.getDocument', { documentId: docs[0]!.id });
    expect(doc.pages).toHaveLength(1);
    expect(doc.pages[0]!.corners).toBeNull();
    expect([doc.pages[0]!.width, doc.pages[0]!.height]).toEqual([frame.width, frame.height]);
    await page.screenshot({ path: test.info().outputPath('empty-desk-kept-whole.png') });
  });
});

test('blank page: flagged, confirmed before it is kept; corners the clerk dragged are the ones the warp uses', async () => {
  test.setTimeout(180_000);
  const fx = fixture('blank-sheet');
  const { file } = y4mFor(fx);
  await withCamera(file, async (page) => {
    await startDocument(page, '空白页测试');
    await overlayCorners(page);

    // Not kept when the clerk says no.
    await page.getByTestId('shutter').click();
    const confirm = page.getByRole('dialog').filter({ hasText: '这一页看起来是空白页' });
    await expect(confirm).toBeVisible({ timeout: 20_000 });
    await confirm.getByRole('button', { name: '不保留' }).click();
    await expect(confirm).toBeHidden();
    const docs = await rpc<{ id: number }[]>(page, 'scans.listDocuments', {});
    expect((await rpc<StoredDoc>(page, 'scans.getDocument', { documentId: docs[0]!.id })).pages).toHaveLength(0);

    // The clerk drags the top-left corner inwards, then keeps the blank page.
    const handle = page.getByTestId('corner-overlay').locator('circle').first();
    const box = (await handle.boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 + 40, box.y + box.height / 2 + 30, { steps: 5 });
    await page.mouse.up();
    await expect(page.getByText('已手动调整角点')).toBeVisible();
    const dragged = await overlayCorners(page);
    await page.getByTestId('shutter').click();
    await expect(confirm).toBeVisible({ timeout: 20_000 });
    await page.screenshot({ path: test.info().outputPath('blank-confirm.png') });
    await confirm.getByRole('button', { name: '仍然保留' }).click();
    await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(1, { timeout: 20_000 });
    await expect(page.getByTestId('blank-page-flag')).toHaveCount(1);
    await page.screenshot({ path: test.info().outputPath('blank-kept.png') });

    const doc = await rpc<StoredDoc>(page, 'scans.getDocument', { documentId: docs[0]!.id });
    expect(doc.pages).toHaveLength(1);
    expect(doc.pages[0]!.capture.blank).toBe(true);
    const used = doc.pages[0]!.corners!;
    expect(Math.max(...errors(used, dragged))).toBeLessThan(0.1); // as dragged, not snapped back to the edge
    const truthTl = { x: fx.corners[0]![0], y: fx.corners[0]![1] };
    expect(Math.hypot(used[0]!.x - truthTl.x, used[0]!.y - truthTl.y)).toBeGreaterThan(50);
  });
});

test('auto-capture: one shot once the page has been still for about a second, none again while it stays; the switch is remembered', async () => {
  test.setTimeout(180_000);
  const fx = fixture('dense-text-uneven');
  const { file } = y4mFor(fx);
  await withCamera(file, async (page) => {
    await startDocument(page, '自动拍摄测试');
    await overlayCorners(page);
    await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(0);
    await page.getByTestId('auto-capture').click();
    // About a second of stillness, plus the detections' pace on a loaded 2-core machine.
    await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(1, { timeout: 45_000 });
    // The fake camera's still scene: the page does not move, so no second shot.
    await page.waitForTimeout(4000);
    await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(1);
    await page.screenshot({ path: test.info().outputPath('auto-captured.png') });
    const docs = await rpc<{ id: number }[]>(page, 'scans.listDocuments', {});
    const doc = await rpc<StoredDoc>(page, 'scans.getDocument', { documentId: docs[0]!.id });
    expect(doc.pages).toHaveLength(1);
    expect(doc.pages[0]!.capture.trigger).toBe('auto');
    const scale = doc.pages[0]!.capture.resolution.width / fx.width;
    expect(Math.max(...errors(doc.pages[0]!.corners!, fx.corners.map(([x, y]) => ({ x: x * scale, y: y * scale }))))).toBeLessThan(STORED_TOLERANCE);

    await page.reload();
    await page.getByRole('menuitem', { name: '高拍仪扫描' }).click().catch(() => undefined);
    await expect(page.getByTestId('auto-capture')).toBeChecked({ timeout: 20_000 });
  });
});

test('OpenCV cannot load: the page says so in Chinese and falls back to plain processing', async () => {
  test.setTimeout(60_000);
  const file = path.join(freshDir('desk-scan-acc-'), 'scene.y4m');
  writeY4m(file, documentScene(1280, 960).img);
  await withCamera(
    file,
    async (page) => {
      await page.context().route(/scan-worker-[^/]*\.js$/, (route) => route.fulfill({ status: 404, body: 'gone' }));
      await page.getByRole('menuitem', { name: '高拍仪扫描' }).click();
      await startStandaloneScan(page, { applicant: '王芳', title: '降级测试' });
      await expect(page.getByTestId('scan-engine-fallback')).toContainText('图像处理组件（OpenCV）未能加载', { timeout: 20_000 });
      await expect(page.getByTestId('scan-preview')).toHaveAttribute('data-engine', 'plain');
      await page.screenshot({ path: test.info().outputPath('fallback.png') });
      await page.getByTestId('shutter').click();
      await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(1, { timeout: 20_000 });
    },
    { consoleErrorsExpected: true },
  );
});

test('import: a 2-page PDF (photos of a licence and a text page) and a JPEG (an ID card) go through the same pipeline: 3 pages stored and exported', async () => {
  test.setTimeout(180_000);
  const names = ['licence-wood', 'dense-text-uneven'];
  const pdf = await PDFDocument.create();
  for (const name of names) {
    const fx = fixture(name);
    const jpg = await pdf.embedJpg(fs.readFileSync(path.join(FIXTURES, fx.file)));
    pdf.addPage([fx.width, fx.height]).drawImage(jpg, { x: 0, y: 0, width: fx.width, height: fx.height });
  }
  const pdfFile = path.join(freshDir('desk-scan-acc-'), '两页材料.pdf');
  fs.writeFileSync(pdfFile, await pdf.save());
  const cam = path.join(freshDir('desk-scan-acc-'), 'scene.y4m');
  writeY4m(cam, documentScene(640, 480).img);

  await withCamera(cam, async (page) => {
    await startDocument(page, 'PDF 导入测试');
    await page.getByTestId('scan-page').locator('input[type=file]').setInputFiles(pdfFile);
    await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(2, { timeout: 60_000 });
    await page.screenshot({ path: test.info().outputPath('pdf-import.png') });

    const docs = await rpc<{ id: number }[]>(page, 'scans.listDocuments', {});
    const doc = await rpc<StoredDoc>(page, 'scans.getDocument', { documentId: docs[0]!.id });
    expect(doc.pages).toHaveLength(2);
    doc.pages.forEach((p, i) => {
      const fx = fixture(names[i]!);
      expect(p.capture.trigger).toBe('import');
      const scale = p.capture.resolution.width / fx.width;
      expect(p.capture.resolution.height / fx.height).toBeCloseTo(scale, 2);
      const err = errors(p.corners!, fx.corners.map(([x, y]) => ({ x: x * scale, y: y * scale })));
      expect(Math.max(...err)).toBeLessThan(STORED_TOLERANCE * scale);
      expect(Math.abs(p.width / p.height / fx.page.aspect - 1)).toBeLessThan(ASPECT_TOLERANCE);
      figures.push(`  PDF import p${i + 1} (${fx.name}) rendered ${p.capture.resolution.width}×${p.capture.resolution.height}: corner error ${fmt(err)} px, page ${p.width}×${p.height}`);
    });

    // An image file: the ID card photographed on the dark desk.
    const card = fixture('id-card-dark');
    await page.getByTestId('scan-page').locator('input[type=file]').setInputFiles(path.join(FIXTURES, card.file));
    await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(3, { timeout: 30_000 });
    const after = await rpc<StoredDoc>(page, 'scans.getDocument', { documentId: doc.id });
    const p3 = after.pages[2]!;
    expect(p3.capture).toMatchObject({ trigger: 'import', resolution: { width: card.width, height: card.height } });
    const err3 = errors(p3.corners!, card.corners.map(([x, y]) => ({ x, y })));
    expect(Math.max(...err3)).toBeLessThan(STORED_TOLERANCE);
    expect(Math.abs(p3.width / p3.height / card.page.aspect - 1)).toBeLessThan(ASPECT_TOLERANCE);
    figures.push(`  JPEG import (id-card-dark) ${card.width}×${card.height}: corner error ${fmt(err3)} px, page ${p3.width}×${p3.height}`);

    const exported = await rpc<{ base64: string }>(page, 'scans.exportPdf', { documentId: doc.id });
    expect((await PDFDocument.load(Buffer.from(exported.base64, 'base64'))).getPageCount()).toBe(3);
  });
});

/** The fixture at half size (2×2 mean), shifted by (dx, dy) with the edge pixels repeated; RGB for the y4m writer. */
function halfScene(img: DecodedImage, dx: number, dy: number): { width: number; height: number; data: Uint8Array } {
  const w = img.width >> 1;
  const h = img.height >> 1;
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const sx = Math.min(w - 1, Math.max(0, x - dx));
      const sy = Math.min(h - 1, Math.max(0, y - dy));
      for (let ch = 0; ch < 3; ch++) {
        const at = (xx: number, yy: number) => img.data[(yy * img.width + xx) * 4 + ch]!;
        data[(y * w + x) * 3 + ch] = (at(2 * sx, 2 * sy) + at(2 * sx + 1, 2 * sy) + at(2 * sx, 2 * sy + 1) + at(2 * sx + 1, 2 * sy + 1) + 2) >> 2;
      }
    }
  return { width: w, height: h, data };
}

test('a page that moves: the overlay follows it, and auto-capture shoots again only after the move', async () => {
  test.setTimeout(180_000);
  const fx = fixture('licence-wood');
  const img = decodeJpeg(fs.readFileSync(path.join(FIXTURES, fx.file)));
  const shift = { x: 80, y: 40 };
  // 4 s at one place, 4 s at the other (5 fps), looped by the fake camera.
  const dir = freshDir('desk-scan-acc-');
  const [a, b] = [path.join(dir, 'a.y4m'), path.join(dir, 'b.y4m')];
  writeY4m(a, halfScene(img, 0, 0), 20);
  writeY4m(b, halfScene(img, shift.x, shift.y), 20);
  const bBytes = fs.readFileSync(b);
  const file = path.join(dir, 'moving.y4m');
  fs.writeFileSync(file, Buffer.concat([fs.readFileSync(a), bBytes.subarray(bBytes.indexOf(0x0a) + 1)])); // b's frames after a's header and frames
  const atA: Quad = fx.corners.map(([x, y]) => ({ x: (x + 0.5) / 2 - 0.5, y: (y + 0.5) / 2 - 0.5 }));
  const atB: Quad = atA.map((p) => ({ x: p.x + shift.x, y: p.y + shift.y }));

  await withCamera(file, async (page) => {
    const frame = await startDocument(page, '移动测试');
    expect(frame).toEqual({ width: img.width >> 1, height: img.height >> 1 });
    await page.getByTestId('auto-capture').click();

    // The overlay is seen on both places.
    const best = { a: Infinity, b: Infinity };
    const t0 = Date.now();
    while ((best.a > 3 || best.b > 3) && Date.now() - t0 < 30_000) {
      const q = await overlayCorners(page);
      best.a = Math.min(best.a, Math.max(...errors(q, atA)));
      best.b = Math.min(best.b, Math.max(...errors(q, atB)));
      await page.waitForTimeout(100);
    }
    expect(best.a).toBeLessThan(3);
    expect(best.b).toBeLessThan(3);

    // Auto-capture: shots at both places. (Two shots in a row at one place are legitimate when a
    // loaded machine is still storing the last shot while the page sits at the other place; that a
    // page lying still is shot only once is the auto-capture test above.)
    const placeOf = (p: StoredDoc['pages'][number]) => {
      expect(p.capture.trigger).toBe('auto');
      const ea = Math.max(...errors(p.corners!, atA));
      const eb = Math.max(...errors(p.corners!, atB));
      expect(Math.min(ea, eb)).toBeLessThan(STORED_TOLERANCE);
      return ea < eb ? 'a' : 'b';
    };
    const docs = await rpc<{ id: number }[]>(page, 'scans.listDocuments', {});
    let where: string[] = [];
    await expect
      .poll(
        async () => {
          const doc = await rpc<StoredDoc>(page, 'scans.getDocument', { documentId: docs[0]!.id });
          where = doc.pages.map(placeOf);
          return new Set(where).size;
        },
        { timeout: 60_000, intervals: [500] },
      )
      .toBe(2);
    await page.getByTestId('auto-capture').click(); // off: no more shots
    figures.push(`  moving page (half size ${frame.width}×${frame.height}): overlay best ${best.a.toFixed(2)} px at A, ${best.b.toFixed(2)} px at B; auto shots at ${where.join(', ')}`);
  });
});
