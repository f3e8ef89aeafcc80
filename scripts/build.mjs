// Builds the main-process bundles (esbuild) and the renderer (Vite) into dist/.
//   node scripts/build.mjs [--main-only]
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
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
};

const t0 = Date.now();
rmSync(path.join(root, 'dist/electron'), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, path.join(root, v)])),
  outdir: path.join(root, 'dist/electron'),
  outExtension: { '.js': '.cjs' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'linked',
  external: ['electron', 'better-sqlite3'],
  logLevel: 'warning',
});
console.log(`main bundles built in ${Date.now() - t0} ms`);

// The PDF documents' fonts (electron/services/documents/fonts.ts): the packaged app has no node_modules for them.
mkdirSync(path.join(root, 'dist/fonts'), { recursive: true });
for (const [from, to] of [['400Regular/NotoSansSC_400Regular', 'Regular'], ['700Bold/NotoSansSC_700Bold', 'Bold']]) {
  const target = path.join(root, `dist/fonts/NotoSansSC-${to}.ttf`);
  copyFileSync(path.join(root, `node_modules/@expo-google-fonts/noto-sans-sc/${from}.ttf`), `${target}.${process.pid}`);
  renameSync(`${target}.${process.pid}`, target); // atomic: a test reading the font never sees half a file
}

if (!mainOnly) {
  const { build: viteBuild } = await import('vite');
  const t1 = Date.now();
  await viteBuild({ configFile: path.join(root, 'renderer/vite.config.mts'), logLevel: 'warn' });
  console.log(`renderer built in ${Date.now() - t1} ms`);
}
