import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { useRunTemp } from './run-temp';

/** Unit tests run services from source; their worker threads and spawned hosts use the bundles, built once here. The run's temp folder is set before the workers start and removed after them. */
export default function setup(): () => void {
  execFileSync(process.execPath, [path.join(__dirname, '..', 'scripts', 'build.mjs'), '--main-only'], { stdio: 'inherit' });
  return useRunTemp('vitest');
}
