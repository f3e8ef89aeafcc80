// Browser-host cold start to an interactive home page.
//
//   node scripts/build.mjs && npx tsx bench/cold-start.bench.ts     (BENCH_RUNS=5 by default)
//
// A first, uncounted start on an empty data dir seeds the demo hall (reported
// on its own); every measured run then starts the host on a fresh copy of that
// seeded dir, so seeding is not measured. Chromium is launched once and warmed
// by that first start; each run gets a new context and page.
//   t0  spawn of `node dist/electron/browser-host.cjs --data-dir D --port 0`
//   t1  its DESK_READY line on stdout
//   tf  sign-in form interactive (the 用户名 input visible), after goto at t1
//   t2  [data-testid="home-page"] visible after signing in as zhangmin
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { emitResult, envInt, load1, ms, nowMs, ROOT, summarize, table, tempDir } from './lib';

const RUNS = envInt('BENCH_RUNS', 5);
/** Idle time before each start, so the previous run's teardown (host exit, page close) does not overlap it. */
const SETTLE_MS = Number(process.env.BENCH_SETTLE_MS ?? 1000);
const HOST_BUNDLE = path.join(ROOT, 'dist', 'electron', 'browser-host.cjs');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

interface Host {
  url: string;
  proc: ChildProcess;
}

/** Spawns the host and resolves at its DESK_READY line. */
function spawnHost(dataDir: string): Promise<Host> {
  const proc = spawn(process.execPath, [HOST_BUNDLE, '--data-dir', dataDir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.setEncoding('utf8');
  proc.stderr!.setEncoding('utf8');
  proc.stderr!.on('data', (c: string) => (out += c));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`host not ready in 30 s:\n${out}`)), 30_000);
    proc.stdout!.on('data', (c: string) => {
      out += c;
      const m = /DESK_READY (\{.*\})/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ url: (JSON.parse(m[1]!) as { url: string }).url, proc });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`host exited with ${code} before ready:\n${out}`));
    });
  });
}

/** SIGTERM makes the host close its store cleanly (WAL checkpointed), so a seeded dir can be copied. */
function stopHost(h: Host): Promise<void> {
  return new Promise((resolve) => {
    if (h.proc.exitCode !== null || h.proc.signalCode !== null) return resolve();
    h.proc.once('exit', () => resolve());
    h.proc.kill('SIGTERM');
  });
}

interface Run {
  hostReadyMs: number;
  formInteractiveMs: number;
  signInToHomeMs: number;
  totalMs: number;
}

/** One cold start: spawn → ready → page interactive → signed in on the home page. */
async function measure(browser: Browser, dataDir: string): Promise<Run> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' });
  const page = await context.newPage();
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const t0 = nowMs();
  const host = await spawnHost(dataDir);
  try {
    const t1 = nowMs();
    await page.goto(host.url, { waitUntil: 'commit' });
    await page.getByPlaceholder('用户名').waitFor({ state: 'visible' });
    const tf = nowMs();
    await page.getByPlaceholder('用户名').fill('zhangmin');
    await page.getByPlaceholder('密码').fill('Desk@2026');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await page.locator('[data-testid="home-page"]').waitFor({ state: 'visible' });
    const t2 = nowMs();
    return { hostReadyMs: t1 - t0, formInteractiveMs: tf - t1, signInToHomeMs: t2 - tf, totalMs: t2 - t0 };
  } finally {
    await context.close();
    await stopHost(host);
  }
}

async function main(): Promise<void> {
  const loadAtStart = load1();
  if (!fs.existsSync(HOST_BUNDLE)) throw new Error(`${HOST_BUNDLE} missing: run "node scripts/build.mjs" first`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const dirs: string[] = [];
  try {
    // First start on an empty data dir: seeds the demo hall; also warms Chromium. Not counted.
    const seeded = tempDir('desk-bench-seed-');
    dirs.push(seeded);
    const first = await measure(browser, seeded);

    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) {
      const dir = tempDir('desk-bench-run-');
      dirs.push(dir);
      fs.cpSync(seeded, dir, { recursive: true });
      runs.push(await measure(browser, dir));
    }

    const keys: [keyof Run, string][] = [
      ['hostReadyMs', 'host process start → ready'],
      ['formInteractiveMs', 'page load → sign-in form interactive'],
      ['signInToHomeMs', 'form interactive → home page (fill + sign in)'],
      ['totalMs', 'total: spawn → home page interactive'],
    ];
    const summary = Object.fromEntries(keys.map(([k]) => [k, summarize(runs.map((r) => r[k]))])) as Record<keyof Run, ReturnType<typeof summarize>>;
    console.log(`cold start: ${RUNS} runs on a copy of a seeded data dir, Chromium warm, new page per run; load avg ${loadAtStart}`);
    console.log(
      table([
        ['', 'median', 'min', 'max', 'first start (seeding)'],
        ...keys.map(([k, label]) => [label, ms(summary[k].median), ms(summary[k].min), ms(summary[k].max), ms(first[k])]),
      ]),
    );
    console.log('first start on an empty data dir (includes demo seeding; also the browser\'s first page):');
    console.log(`  host start → ready ${ms(first.hostReadyMs)}, total → home page ${ms(first.totalMs)}`);
    emitResult({ bench: 'cold-start', load1AtStart: loadAtStart, runs: RUNS, settleMs: SETTLE_MS, summary, firstStartWithSeeding: first, samples: runs });
  } finally {
    await browser.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
