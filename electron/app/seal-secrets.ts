import path from 'node:path';
import { sealAuditKeyInPlace } from '../services/audit/checkpoints';
import { sealDeskKeysInPlace } from '../services/transfer/desk-keys';
import { sealSyncTokensInPlace } from '../services/sync/targets-config';

export interface SealOutcome {
  /** Files whose private key or token was in clear and is now sealed (relative to the data folder). */
  sealed: string[];
  /** Files that could not be sealed (left exactly as they were), with the reason. */
  failed: { file: string; error: string }[];
}

/**
 * At start, once the store is unlocked (store/unlock-store.ts) and under the folder's lock: every
 * private key or token an older version (or a hand-written file) left in clear in the data folder
 * is sealed in place under the store key (store/sealed-secrets.ts), each file rewritten through the
 * durable-write primitive — the audit checkpoint key, the transfer desk keys (their passphrase file
 * removed after), the sync targets' tokens. A kill between leaves each file old or new, and the next
 * start finishes. docs/SECURITY.md, "Keys and tokens at rest".
 */
export function sealSecretsAtRest(dataDir: string): SealOutcome {
  const out: SealOutcome = { sealed: [], failed: [] };
  const steps: [string, () => boolean][] = [
    [path.join('audit', 'audit-key.json'), () => sealAuditKeyInPlace(dataDir)],
    [path.join('transfer', 'desk-keys.json'), () => sealDeskKeysInPlace(dataDir)],
    ['sync-targets.json', () => sealSyncTokensInPlace(dataDir)],
  ];
  for (const [file, step] of steps) {
    try {
      if (step()) out.sealed.push(file);
    } catch (e) {
      out.failed.push({ file, error: e instanceof Error ? e.message : String(e) });
    }
  }
  return out;
}
