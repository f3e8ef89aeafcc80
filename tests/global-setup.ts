import { execFileSync } from 'node:child_process';
import path from 'node:path';

/** Unit tests run services from source; their worker threads and spawned hosts use the bundles, built once here. */
export default function setup(): void {
  execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'build.mjs'), '--main-only'], { stdio: 'inherit' });
}
