// Builds the main-process bundles (esbuild) and the renderer (Vite) into dist/.
//   node scripts/build.mjs [--main-only]
// Every output file is written to a temp name and renamed into place, and nothing is deleted
// first, so a host or worker starting during a rebuild never finds a missing or half-written file.
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mainOnly = process.argv.includes('--main-only');

const entries = {
  main: 'electron/main.ts',
  preload: 'electron/preload.ts',
  'browser-host': 'electron/host/host-main.ts',
  cli: 'electron/cli.ts',
  worker: 'electron/workers/worker-main.ts',
  'sync-worker': 'electron/workers/sync-store-worker.ts',
  'transfer-worker': 'electron/workers/transfer-worker.ts',
  'staging-worker': 'electron/workers/staging-worker.ts',
};

function writeAtomically(file, bytes) {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, file);
}

const t0 = Date.now();
const result = await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, path.join(root, v)])),
  outdir: path.join(root, 'dist/electron'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  external: ['electron', 'better-sqlite3', 'better-sqlite3-multiple-ciphers'],
  logLevel: 'warning',
  write: false,
});
for (const out of result.outputFiles) writeAtomically(out.path, out.contents);
console.log(`main bundles built in ${Date.now() - t0} ms`);

// The PDF documents' fonts (electron/services/documents/fonts.ts): the packaged app has no node_modules for them.
mkdirSync(path.join(root, 'dist/fonts'), { recursive: true });
for (const [from, to] of [['400Regular/NotoSansSC_400Regular', 'Regular'], ['700Bold/NotoSansSC_700Bold', 'Bold']]) {
  const target = path.join(root, `dist/fonts/NotoSansSC-${to}.ttf`);
  copyFileSync(path.join(root, `node_modules/@expo-google-fonts/noto-sans-sc/${from}.ttf`), `${target}.${process.pid}`);
  renameSync(`${target}.${process.pid}`, target);
}

if (!mainOnly) {
  const { build: viteBuild } = await import('vite');
  const t1 = Date.now();
  const staging = path.join(root, `dist/.renderer-${process.pid}`);
  await viteBuild({ configFile: path.join(root, 'renderer/vite.config.mts'), logLevel: 'warn', build: { outDir: staging, emptyOutDir: true } });
  // Assets are content-hashed: add the new ones, then swap index.html, then drop the old ones.
  const out = path.join(root, 'dist/renderer');
  const assets = new Set(readdirSync(path.join(staging, 'assets')));
  for (const f of assets) writeAtomically(path.join(out, 'assets', f), readFileSync(path.join(staging, 'assets', f)));
  for (const f of readdirSync(staging)) if (f !== 'assets') writeAtomically(path.join(out, f), readFileSync(path.join(staging, f)));
  for (const f of readdirSync(path.join(out, 'assets'))) if (!assets.has(f) && !f.includes('.tmp-')) rmSync(path.join(out, 'assets', f), { force: true });
  rmSync(staging, { recursive: true, force: true });
  console.log(`renderer built in ${Date.now() - t1} ms`);
}
