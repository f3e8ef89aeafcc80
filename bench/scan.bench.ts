// Document scanning on 5 MP frames: our pipeline (renderer/src/scan) against jscanify 1.4.3, in one
// page of Debian's Chromium (headless), on every fixture scene of tests/fixtures/scan/.
//
//   node scripts/build.mjs --main-only && npx tsx bench/scan.bench.ts     (or: node bench/run.mjs scan)
//
// Knobs: BENCH_SCAN_RUNS (timed rounds of detect+warp per fixture and side, default 5),
// BENCH_SCAN_OVERLAY_S (seconds of live-overlay loop per fixture and variant, default 2),
// BENCH_SCAN_SHUTTERS (shutter-to-stored captures per fixture, default 5).
//
// A bench-only page (bench/scan-page.ts, bundled here by esbuild, no CSP) is served by a loopback
// server of this bench, which also forwards the page's /api/rpc to the real browser host (the
// durable store) with the host's per-launch token. Figures:
//   (a) corner error vs truth.json (mean / max of the four corners, px at 5 MP), ours and jscanify
//   (b) detect + warp + JPEG encode, ours (the app's warp in this browser, WebAssembly; and
//       OpenCV's warpPerspective, the code before) and
//       jscanify (findPaperContour + getCornerPoints + extractPaper + toBlob), same thread, same
//       OpenCV.js build; ratios
//   (c) live overlay: detections per second on preview-size (640 px) frames, ours in the page and
//       through the scan worker (the app's path), jscanify findPaperContour+getCornerPoints and
//       highlightPaper
//   (d) shutter → stored page: frame in hand → worker (… JPEG + thumbnail) → base64 → scans.addPage
//       acknowledged by the host (file fsynced, transaction committed); p50 / p95; shots with the
//       app's warp (canvas) and with OpenCV's alternate
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from '@playwright/test';
import { emitResult, envInt, load1, median, percentile, ROOT, table, tempDir } from './lib';
import { startHost } from '../tests/e2e/support/host';
import { CHROMIUM, CHROMIUM_ARGS, assertChromium } from '../tests/e2e/support/browser';
import { DEMO_PASSWORD } from '../electron/seed/seed-demo';

const RUNS = envInt('BENCH_SCAN_RUNS', 5);
const OVERLAY_S = envInt('BENCH_SCAN_OVERLAY_S', 2);
const SHUTTERS = envInt('BENCH_SCAN_SHUTTERS', 5);
const FIXTURE_DIR = path.join(ROOT, 'tests', 'fixtures', 'scan');

type Pt = { x: number; y: number };
interface Truth {
  name: string;
  document: boolean;
  corners: [number, number][] | null;
}
const truth = (JSON.parse(fs.readFileSync(path.join(FIXTURE_DIR, 'truth.json'), 'utf8')) as { fixtures: Truth[] }).fixtures;

/** Mean and max distance of the four corners to the truth (px), or null when nothing was found. */
function cornerError(found: Pt[] | null, t: Truth): { mean: number; max: number } | null {
  if (!found || !t.corners) return null;
  const d = found.map((p, i) => Math.hypot(p.x - t.corners![i]![0], p.y - t.corners![i]![1]));
  return { mean: d.reduce((a, b) => a + b, 0) / 4, max: Math.max(...d) };
}

async function bundle(dir: string): Promise<void> {
  await build({
    entryPoints: { 'scan-page': path.join(ROOT, 'bench', 'scan-page.ts'), 'scan-worker': path.join(ROOT, 'renderer', 'src', 'scan', 'scan-worker.ts') },
    outdir: dir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    minify: true,
    logLevel: 'error',
    // OpenCV.js's Emscripten glue mentions Node modules it never loads in a browser.
    external: ['fs', 'path', 'crypto', 'ws', 'perf_hooks', 'worker_threads'],
  });
}

/** The bench page, its bundles, the fixtures, and /api/rpc forwarded to the host with its token. */
function serve(dir: string, host: { origin: string; token: string }): Promise<{ url: string; close(): Promise<void> }> {
  const files: Record<string, [string, string]> = {
    '/': [path.join(dir, 'index.html'), 'text/html; charset=utf-8'],
    '/scan-page.js': [path.join(dir, 'scan-page.js'), 'text/javascript'],
    '/scan-worker.js': [path.join(dir, 'scan-worker.js'), 'text/javascript'],
  };
  fs.writeFileSync(files['/']![0], '<!doctype html><meta charset="utf-8"><title>scan bench</title><script type="module" src="/scan-page.js"></script>');
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'POST' && url.pathname === '/api/rpc') {
      const target = new URL('/api/rpc', host.origin);
      const fwd = http.request(
        target,
        { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}`, 'Content-Length': req.headers['content-length'] ?? '' } },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, { 'Content-Type': answer.headers['content-type'] ?? 'application/json' });
          answer.pipe(res);
        },
      );
      fwd.on('error', (e) => res.writeHead(502).end(String(e)));
      req.pipe(fwd);
      return;
    }
    const fixture = /^\/fixtures\/([a-z0-9-]+\.jpg)$/.exec(url.pathname);
    const file = fixture ? ([path.join(FIXTURE_DIR, fixture[1]!), 'image/jpeg'] as [string, string]) : files[url.pathname];
    if (!file || !fs.existsSync(file[0])) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': file[1] });
    fs.createReadStream(file[0]).pipe(res);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as { port: number }).port}/`, close: () => new Promise<void>((r) => server.close(() => r())) }),
    ),
  );
}

async function hostRpc<T>(host: { origin: string; token: string }, method: string, input: unknown, session?: string): Promise<T> {
  const res = await fetch(new URL('/api/rpc', host.origin), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
    body: JSON.stringify({ id: `n${Date.now()}`, method, input, ...(session ? { session } : {}) }),
  });
  const body = (await res.json()) as { ok: boolean; value?: T; error?: unknown };
  if (!body.ok) throw new Error(`${method}: ${JSON.stringify(body.error)}`);
  return body.value as T;
}

const f1 = (n: number | null | undefined, d = 1) => (n === null || n === undefined || Number.isNaN(n) ? '—' : n.toFixed(d));

async function main() {
  assertChromium();
  const load1AtStart = load1();
  console.log(`scan bench: ${RUNS} rounds, overlay ${OVERLAY_S} s per variant, ${SHUTTERS} shutters per fixture; load average at start ${load1AtStart}`);
  const dir = tempDir('desk-scan-bench-');
  await bundle(dir);
  const host = await startHost();
  const server = await serve(dir, host);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const session = (await hostRpc<{ token: string }>(host, 'auth.signIn', { username: 'zhangmin', password: DEMO_PASSWORD })).token;
    const page = await browser.newPage();
    page.on('pageerror', (e) => console.error(`page error: ${e.message}`));
    await page.goto(server.url);
    await page.waitForFunction(() => 'bench' in window, null, { timeout: 60_000 });
    type B = Record<string, (...a: unknown[]) => Promise<unknown>>;
    const ready = (await page.evaluate(() => (window.bench as B).ready!())) as { opencv: string; worker: string };
    console.log(`OpenCV ${ready.opencv} in the page and in the worker; jscanify 1.4.3`);
    const call = <T>(fn: string, ...args: unknown[]) => page.evaluate(([f, a]) => (window.bench as B)[f as string]!(...(a as unknown[])), [fn, args] as const) as Promise<T>;
    for (const t of truth) await call('load', t.name, 640);

    // (a) + (b): interleaved rounds, ours then jscanify, per fixture.
    type Steps = { corners: Pt[] | null; ms: number; detectMs: number; warpMs: number; encodeMs: number };
    type Ours = Steps & { page: { width: number; height: number }; warpEngine: string | null; fullCaptureMs: number; fullCaptureTimings: Record<string, number> };
    const ours = new Map<string, Ours[]>();
    const oursCv = new Map<string, Ours[]>();
    const theirs = new Map<string, Steps[]>();
    for (let round = 0; round <= RUNS; round++) {
      for (const t of truth) {
        // Alternate which of our two warps goes first, so neither always follows jscanify's run.
        const first = round % 2 ? 'opencv' : 'auto';
        const a = await call<Ours>('oursProcess', t.name, first);
        const b = await call<Ours>('oursProcess', t.name, first === 'auto' ? 'opencv' : 'auto');
        const [o, oc] = first === 'auto' ? [a, b] : [b, a];
        const j = await call<Steps>('jscanifyProcess', t.name, o.page);
        if (round === 0) continue; // warm-up
        ours.set(t.name, [...(ours.get(t.name) ?? []), o]);
        oursCv.set(t.name, [...(oursCv.get(t.name) ?? []), oc]);
        theirs.set(t.name, [...(theirs.get(t.name) ?? []), j]);
      }
    }
    const med = (xs: Steps[]) => ({ ms: median(xs.map((x) => x.ms)), detectMs: median(xs.map((x) => x.detectMs)), warpMs: median(xs.map((x) => x.warpMs)), encodeMs: median(xs.map((x) => x.encodeMs)) });
    const perFixture = truth.map((t) => {
      const o = ours.get(t.name)!;
      const oc = oursCv.get(t.name)!;
      const j = theirs.get(t.name)!;
      return {
        name: t.name,
        document: t.document,
        ours: { found: o[0]!.corners !== null, error: cornerError(o[0]!.corners, t), ...med(o), page: o[0]!.page, warpEngine: o[0]!.warpEngine, fullCaptureMs: median(o.map((x) => x.fullCaptureMs)), fullCaptureTimings: o[0]!.fullCaptureTimings },
        oursOpencv: { ...med(oc), warpEngine: oc[0]!.warpEngine, fullCaptureMs: median(oc.map((x) => x.fullCaptureMs)), fullCaptureTimings: oc[0]!.fullCaptureTimings },
        jscanify: { found: j[0]!.corners !== null, error: cornerError(j[0]!.corners, t), ...med(j) },
      };
    });
    const docs = perFixture.filter((p) => p.document);
    const verdict = (p: (typeof perFixture)[number], side: 'ours' | 'jscanify') =>
      p.document ? (p[side].error ? `${f1(p[side].error.mean)} / ${f1(p[side].error.max)}` : 'not found') : p[side].found ? 'FALSE page' : 'none (right)';
    console.log('\n(a) corner error (px at 5 MP, mean / max of the 4 corners) and (b) detect + warp + JPEG (ms, median of rounds; ours with the app\'s warp in this browser, and with OpenCV\'s as before):');
    console.log(
      table([
        ['fixture', 'ours error', 'jscanify error', 'ours det/warp/enc = total', 'ours, OpenCV warp', 'jscanify det/warp/enc = total', 'total ratio', 'ratio, OpenCV warp', 'warp: OpenCV / ours', 'detect ratio'],
        ...perFixture.map((p) => [
          p.name,
          verdict(p, 'ours'),
          verdict(p, 'jscanify'),
          `${f1(p.ours.detectMs)}/${f1(p.ours.warpMs)}/${f1(p.ours.encodeMs)} = ${f1(p.ours.ms)} (${p.ours.warpEngine ?? '—'})`,
          `${f1(p.oursOpencv.detectMs)}/${f1(p.oursOpencv.warpMs)}/${f1(p.oursOpencv.encodeMs)} = ${f1(p.oursOpencv.ms)}`,
          `${f1(p.jscanify.detectMs)}/${f1(p.jscanify.warpMs)}/${f1(p.jscanify.encodeMs)} = ${f1(p.jscanify.ms)}`,
          `${f1(p.jscanify.ms / p.ours.ms, 2)}×`,
          `${f1(p.jscanify.ms / p.oursOpencv.ms, 2)}×`,
          p.ours.warpMs ? `${f1(p.oursOpencv.warpMs / p.ours.warpMs, 2)}×` : '—',
          `${f1(p.jscanify.detectMs / p.ours.detectMs, 2)}×`,
        ]),
      ]),
    );
    const totalOurs = median(docs.map((p) => p.ours.ms));
    const totalTheirs = median(docs.map((p) => p.jscanify.ms));
    const detectOurs = median(docs.map((p) => p.ours.detectMs));
    const detectTheirs = median(docs.map((p) => p.jscanify.detectMs));
    const ratio = median(docs.map((p) => p.jscanify.ms / p.ours.ms));
    const ratioOpencvWarp = median(docs.map((p) => p.jscanify.ms / p.oursOpencv.ms));
    const warpOurs = median(docs.map((p) => p.ours.warpMs));
    const warpOpencv = median(docs.map((p) => p.oursOpencv.warpMs));
    const warpRatio = median(docs.map((p) => p.oursOpencv.warpMs / p.ours.warpMs));
    const detectRatio = median(docs.map((p) => p.jscanify.detectMs / p.ours.detectMs));
    const errOurs = median(docs.map((p) => p.ours.error?.mean ?? Infinity));
    const errTheirs = median(docs.map((p) => p.jscanify.error?.mean ?? Infinity));
    console.log(
      `document fixtures, medians: detect+warp+JPEG ours ${f1(totalOurs)} ms, jscanify ${f1(totalTheirs)} ms, ratio ${f1(ratio, 2)}×; detection alone ${f1(detectOurs)} vs ${f1(detectTheirs)} ms, ratio ${f1(detectRatio, 2)}×; ` +
        `corner error (median of the mean) ours ${f1(errOurs, 2)} px, jscanify ${f1(errTheirs, 2)} px; jscanify off by > 20 px or not found on ${docs.filter((p) => !p.jscanify.error || p.jscanify.error.max > 20).length} of ${docs.length}, ours on ${docs.filter((p) => !p.ours.error || p.ours.error.max > 20).length}`,
    );
    console.log(
      `the warp alone (+ the page out of the engine's memory), medians: the app's ${f1(warpOurs)} ms (${[...new Set(docs.map((p) => p.ours.warpEngine))].join('/')}), OpenCV's ${f1(warpOpencv)} ms, OpenCV / app ${f1(warpRatio, 2)}×; ` +
        `detect+warp+JPEG with OpenCV's warp (as before) ${f1(median(docs.map((p) => p.oursOpencv.ms)))} ms, ratio to jscanify ${f1(ratioOpencvWarp, 2)}×`,
    );
    console.log('ours, the whole capture as the app\'s worker runs it at the shutter without corners (detect, warp, colour, blank check, JPEG; median of rounds / steps of the first round, ms), the app\'s path | with OpenCV\'s warp, as before:');
    for (const p of perFixture) console.log(`  ${p.name}: ${f1(p.ours.fullCaptureMs)} ${JSON.stringify(p.ours.fullCaptureTimings)} | ${f1(p.oursOpencv.fullCaptureMs)} ${JSON.stringify(p.oursOpencv.fullCaptureTimings)}`);

    // Where the capture's time goes, step by step (median of 3 per fixture).
    type Profile = { page: { width: number; height: number }; jpegKiB: number; steps: Record<string, number> } | null;
    const profiles: Record<string, Record<string, number>> = {};
    for (const t of docs) {
      const runs: NonNullable<Profile>[] = [];
      for (let i = 0; i < 3; i++) {
        const p = await call<Profile>('profileCapture', t.name);
        if (p) runs.push(p);
      }
      if (!runs.length) continue;
      profiles[t.name] = Object.fromEntries(Object.keys(runs[0]!.steps).map((k) => [k, median(runs.map((r) => r.steps[k]!))]));
      profiles[t.name]!['page px'] = runs[0]!.page.width * runs[0]!.page.height;
      profiles[t.name]!['JPEG KiB'] = runs[0]!.jpegKiB;
    }
    const stepNames = Object.keys(Object.values(profiles)[0] ?? {});
    console.log('\nthe capture step by step in the page thread (ms, median of 3), from the live overlay corners:');
    console.log(table([['step', ...Object.keys(profiles)], ...stepNames.map((k) => [k, ...Object.values(profiles).map((p) => f1(p[k]))])]));

    // (c) live overlay on preview-size frames.
    const variants = ['ours', 'ours-worker', 'app-loop-before-fix', 'app-loop-small-grab', 'jscanify', 'jscanify-highlight'] as const; // app-loop-before-fix: the loop as it was before grabPreview
    const overlay: Record<string, { fps: number[]; meanMs: number[] }> = {};
    for (const t of docs) {
      for (const v of variants) {
        const r = await call<{ fps: number; meanMs: number }>('overlayLoop', t.name, v, OVERLAY_S);
        (overlay[v] ??= { fps: [], meanMs: [] }).fps.push(r.fps);
        overlay[v].meanMs.push(r.meanMs);
      }
    }
    console.log('\n(c) live overlay, detections per second on 640 px frames (median over document fixtures):');
    console.log(table([['variant', 'fps', 'ms per frame'], ...variants.map((v) => [v, f1(median(overlay[v]!.fps)), f1(median(overlay[v]!.meanMs))])]));

    // (d) shutter → stored page on the real host.
    type Shot = { fixture: string; ms: number; workerMs: number; encodeMs: number; base64Ms: number; addPageMs: number; pages: number; jpegBytes: number; page: { width: number; height: number }; workerTimings: Record<string, number>; warpEngine: string };
    const shots: Shot[] = [];
    const shotsOpencv: Shot[] = [];
    for (const t of truth) {
      const doc = await hostRpc<{ id: number }>(host, 'scans.createDocument', { kind: 'certificate', title: `bench ${t.name}` }, session);
      let stored = 0;
      const shoot = async (engine: 'auto' | 'opencv') => {
        const s = await call<Shot>('shutterToStored', t.name, doc.id, session, engine);
        if (s.pages !== ++stored) throw new Error(`page not stored: document has ${s.pages} pages`);
        return s;
      };
      await shoot('auto'); // warm-up, not counted (the page is stored all the same)
      await shoot('opencv');
      for (let i = 0; i < SHUTTERS; i++) {
        // The app's warp and OpenCV's, alternately, each first every other time.
        const order: Array<'auto' | 'opencv'> = i % 2 ? ['opencv', 'auto'] : ['auto', 'opencv'];
        for (const engine of order) {
          const s = await shoot(engine);
          // The same page as the detect+warp above (not, say, the whole frame): within 2 % per side.
          const want = perFixture.find((p) => p.name === t.name)!.ours.page;
          if (Math.abs(s.page.width / want.width - 1) > 0.02 || Math.abs(s.page.height / want.height - 1) > 0.02) {
            throw new Error(`${t.name}: shutter stored a ${s.page.width}×${s.page.height} page, detect+warp gave ${want.width}×${want.height}`);
          }
          (engine === 'auto' ? shots : shotsOpencv).push({ ...s, fixture: t.name });
        }
      }
    }
    const summarize = (list: Shot[]) =>
      Object.fromEntries((['ms', 'workerMs', 'encodeMs', 'base64Ms', 'addPageMs'] as const).map((k) => [k, { p50: percentile(list.map((x) => x[k]), 50), p95: percentile(list.map((x) => x[k]), 95) }]));
    const shutter = summarize(shots);
    const shutterOpencv = summarize(shotsOpencv);
    const pair = (k: string) => `${f1(shutter[k]!.p50)} / ${f1(shutter[k]!.p95)}`;
    const pairCv = (k: string) => `${f1(shutterOpencv[k]!.p50)} / ${f1(shutterOpencv[k]!.p95)}`;
    const engines = [...new Set(shots.map((x) => x.warpEngine))].map((e) => `${shots.filter((x) => x.warpEngine === e).length} ${e}`).join(', ');
    console.log(`\n(d) shutter → page stored by the host, ${shots.length} captures with the app's warp (drawn by: ${engines}; on the empty desk the frame is kept whole, on a canvas) and ${shotsOpencv.length} with OpenCV's, alternately (p50 / p95 ms):`);
    console.log(
      table([
        ['step', "app's warp", "OpenCV's warp"],
        ['total', pair('ms'), pairCv('ms')],
        ['worker: refine + warp + clean-up + blank + JPEG + thumbnail', pair('workerMs'), pairCv('workerMs')],
        ['page thread between worker and base64', pair('encodeMs'), pairCv('encodeMs')],
        ['base64', pair('base64Ms'), pairCv('base64Ms')],
        ['scans.addPage (HTTP, fsync, commit)', pair('addPageMs'), pairCv('addPageMs')],
      ]),
    );
    const byFixture = truth.map((t) => {
      const mine = shots.filter((x) => x.fixture === t.name);
      const theirs = shotsOpencv.filter((x) => x.fixture === t.name);
      return { fixture: t.name, app: { p50: percentile(mine.map((x) => x.ms), 50), max: Math.max(...mine.map((x) => x.ms)) }, opencvWarp: { p50: percentile(theirs.map((x) => x.ms), 50), max: Math.max(...theirs.map((x) => x.ms)) } };
    });
    const docShots = shots.filter((x) => truth.find((t) => t.name === x.fixture)?.document);
    const docShotsOpencv = shotsOpencv.filter((x) => truth.find((t) => t.name === x.fixture)?.document);
    const docSummary = { p50: percentile(docShots.map((x) => x.ms), 50), p95: percentile(docShots.map((x) => x.ms), 95), max: Math.max(...docShots.map((x) => x.ms)) };
    console.log(
      `document pages only (${docShots.length} captures; the empty desk stores the whole 5 MP frame): p50 / p95 / max ${f1(docSummary.p50)} / ${f1(docSummary.p95)} / ${f1(docSummary.max)} ms ` +
        `(OpenCV's warp: ${f1(percentile(docShotsOpencv.map((x) => x.ms), 50))} / ${f1(percentile(docShotsOpencv.map((x) => x.ms), 95))} / ${f1(Math.max(...docShotsOpencv.map((x) => x.ms)))})`,
    );
    console.log('per fixture, shutter → stored p50 / max ms (app\'s warp | OpenCV\'s): ' + byFixture.map((b) => `${b.fixture} ${f1(b.app.p50)} / ${f1(b.app.max)} | ${f1(b.opencvWarp.p50)} / ${f1(b.opencvWarp.max)}`).join('; '));
    const steps = [...new Set(shots.flatMap((x) => Object.keys(x.workerTimings)))];
    const perStep = (list: Shot[]) => steps.map((k) => `${k} ${f1(percentile(list.map((x) => x.workerTimings[k] ?? 0), 50))}`).join(', ');
    console.log(`in the worker, p50 per step: app's warp: ${perStep(shots)} ms; OpenCV's warp: ${perStep(shotsOpencv)} ms`);
    console.log(`page JPEG median ${Math.round(median(shots.map((x) => x.jpegBytes)) / 1024)} KiB; load average at end ${load1()}`);

    emitResult({
      load1AtStart,
      runs: RUNS,
      fixtures: perFixture,
      processMedianMs: {
        ours: totalOurs,
        jscanify: totalTheirs,
        ratio,
        oursOpencvWarp: median(docs.map((p) => p.oursOpencv.ms)),
        ratioOpencvWarp,
        warpOurs,
        warpOpencv,
        warpRatio,
        detectOurs,
        detectTheirs,
        detectRatio,
      },
      cornerErrorMedianPx: { ours: errOurs, jscanify: errTheirs },
      overlayFps: Object.fromEntries(variants.map((v) => [v, median(overlay[v]!.fps)])),
      shutterToStored: shutter,
      shutterToStoredOpencvWarp: shutterOpencv,
      shutterToStoredByFixture: byFixture,
      shutterToStoredDocumentPages: docSummary,
      captureProfile: profiles,
    });
  } finally {
    await browser.close();
    await server.close();
    await host.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
