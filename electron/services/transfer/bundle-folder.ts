import fs from 'node:fs';
import path from 'node:path';
import { MANIFEST_SUFFIX } from './bundle-format';

/** The sequence number a manifest claims (unverified: only for ordering a folder; 0 if unreadable). */
export function readManifestSeq(file: string): number {
  try {
    const outer = JSON.parse(fs.readFileSync(file, 'utf8')) as { body?: string };
    const seq = (JSON.parse(outer.body ?? '{}') as { seq?: unknown }).seq;
    return typeof seq === 'number' ? seq : 0;
  } catch {
    return 0;
  }
}

/** The manifests in a folder, by the sequence number they claim. */
export function manifestsIn(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(MANIFEST_SUFFIX))
    .map((f) => path.join(dir, f))
    .sort((x, y) => readManifestSeq(x) - readManifestSeq(y));
}
