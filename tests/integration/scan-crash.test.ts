import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { openTestStore, testFileStore } from '../helpers/store';
import { describe, expect, it } from 'vitest';
import { startHost as spawnHost } from '../e2e/support/host';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import { DEMO_PASSWORD } from '../../electron/seed/seed-demo';
import { tempDir } from '../helpers/temp';
import { killRandom, KILL_TEST_TIMEOUT_MS } from '../helpers/kill-points';
import { documentJpeg, withComment } from '../helpers/jpeg';

const ROUNDS = 24;

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const ADD = 'scan.addPage';

/** Page rows in the store (read while no host runs). */
function pageRows(dataDir: string): number {
  const db = openTestStore(path.join(dataDir, 'desk.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT COUNT(*) FROM scan_pages').pluck().get() as number;
  } finally {
    db.close();
  }
}

/** The built host on any free port, on this data dir, with its progress marks; it must come up ready (not in recovery). */
async function startHost(dataDir: string, hold?: { at: string; n: number }) {
  const h = await spawnHost({ dataDir, port: 0, progress: { hold } });
  if (h.state !== 'ready') throw new Error(`host came up in ${h.state}: ${h.output()}`);
  return h;
}

/** What an acknowledged addPage stored. */
interface Acked {
  pageId: number;
  sha256: string;
  originalSha256: string | null;
  thumbSha256: string | null;
}

/**
 * The store as the next start leaves it (the orphan sweep runs before DESK_READY):
 * every acknowledged page has its row and its files; every file on disk has its `files` row
 * (no temp file, no orphan); every page's files exist and hash to their names; the audit chain
 * verifies and every page row has its audit entry.
 */
function checkStore(dataDir: string, acked: Map<number, Acked>): { pages: number; files: number } {
  const root = path.join(dataDir, 'files');
  const fileOk = (s: string) => {
    const f = path.join(root, s.slice(0, 2), s);
    expect(fs.existsSync(f), `file ${s} exists`).toBe(true);
    expect(sha(testFileStore(dataDir).get(s)), `file ${s} hashes to its name`).toBe(s); // sealed at rest: opened with the desk's key
  };
  const db = openTestStore(path.join(dataDir, 'desk.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const known = db.prepare('SELECT 1 FROM files WHERE sha256 = ?');
    let onDisk = 0;
    if (fs.existsSync(root)) {
      for (const sub of fs.readdirSync(root)) {
        for (const name of fs.readdirSync(path.join(root, sub))) {
          onDisk++;
          expect(name.startsWith('.tmp-'), `temp file ${sub}/${name} swept`).toBe(false);
          expect(known.get(name), `file ${name} is referenced by a files row`).toBeTruthy();
        }
      }
    }
    const rows = db.prepare('SELECT id, document_id, position, file_sha256, original_sha256, thumb_sha256, deleted_at FROM scan_pages').all() as {
      id: number;
      document_id: number;
      position: number;
      file_sha256: string;
      original_sha256: string | null;
      thumb_sha256: string | null;
      deleted_at: string | null;
    }[];
    const byId = new Map(rows.map((r) => [r.id, r]));
    for (const a of acked.values()) {
      const r = byId.get(a.pageId);
      expect(r, `acknowledged page ${a.pageId} has its row`).toBeDefined();
      expect([r!.file_sha256, r!.original_sha256, r!.thumb_sha256]).toEqual([a.sha256, a.originalSha256, a.thumbSha256]);
    }
    for (const r of rows) for (const s of [r.file_sha256, r.original_sha256, r.thumb_sha256]) if (s) fileOk(s);
    // Live pages of each document sit at 0…n-1.
    const live = new Map<number, number[]>();
    for (const r of rows) if (r.deleted_at === null) live.set(r.document_id, [...(live.get(r.document_id) ?? []), r.position]);
    for (const positions of live.values()) expect(positions.sort((a, b) => a - b)).toEqual(positions.map((_, i) => i));
    // Nothing half-written: one audit entry per page row, one page row per entry.
    const audited = db.prepare(`SELECT entity_id FROM audit_log WHERE action IN ('scan.addPage', 'scan.retakePage')`).pluck().all() as string[];
    expect(audited.map(Number).sort((a, b) => a - b)).toEqual(rows.map((r) => r.id).sort((a, b) => a - b));
    expect(verifyAuditChain(db)).toMatchObject({ ok: true, firstBroken: null });
    return { pages: rows.length, files: onDisk };
  } finally {
    db.close();
  }
}

describe('durability of scanned pages: kill -9 right after and while capturing', () => {
  it(`loses no acknowledged page and leaves no orphan file over ${ROUNDS} hard kills`, async () => {
    const dataDir = tempDir('desk-scan-crash-');
    // Real JPEGs; each call sends a different variant (a comment segment), so every page is a new file.
    const page = documentJpeg(1200, 900, { noise: 24, quality: 90, seed: 11 });
    const frame = documentJpeg(1024, 768, { noise: 24, quality: 85, seed: 12 });
    const thumb = documentJpeg(160, 120, { seed: 13 });
    const acked = new Map<number, Acked>();
    let attempted = 0;
    let n = 0;
    let documentId: number | null = null;

    const { int } = killRandom('scan-crash');
    const windows = { stored: 0, applied: 0, committed: 0, free: 0 };
    let floor = 0; // pages each life recorded for sure: those before its kill point, and the one at it once committed
    for (let round = 0; round < ROUNDS; round++) {
      // The kill point follows this life's own progress: the host stopped right after the M-th
      // image file it stored (its page not yet recorded: an orphan file for the next start to
      // sweep), inside the N-th addPage's transaction (not committed: its files orphans too), or
      // right after that commit (not yet answered); or killed as soon as that commit is reported,
      // wherever the two writers have got to then.
      const window = (['stored', 'applied', 'committed', 'free'] as const)[round % 4]!;
      const nth = window === 'stored' ? int(1, 12) : int(1, 6);
      const hold = window === 'stored' ? { at: 'scan.filePut', n: nth } : window === 'free' ? undefined : { at: `write.${window} ${ADD}`, n: nth };
      const before = round === 0 ? 0 : pageRows(dataDir);
      const { proc, port, token, marks } = await startHost(dataDir, hold);
      const rpc = async (method: string, input: unknown, session?: string) => {
        const res = await fetch(`http://127.0.0.1:${port}/api/rpc`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify({ id: String(++n), method, input, session }),
        });
        return (await res.json()) as { ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string } };
      };
      const signIn = await rpc('auth.signIn', { username: 'zhangmin', password: DEMO_PASSWORD });
      expect(signIn.ok).toBe(true);
      const session = signIn.value!.token as string;
      if (documentId === null) {
        const created = await rpc('scans.createDocument', { kind: 'licence', title: '断电测试' }, session);
        expect(created.ok).toBe(true);
        documentId = created.value!.id as number;
      }

      let stop = false;
      const writer = async (withExtras: boolean) => {
        while (!stop) {
          const tag = `r${round}-${++n}`;
          const bytes = withComment(page, tag);
          const original = withExtras ? withComment(frame, tag) : null;
          const small = withExtras ? withComment(thumb, tag) : null;
          attempted++;
          let r;
          try {
            r = await rpc(
              'scans.addPage',
              {
                documentId,
                page: { mime: 'image/jpeg', base64: bytes.toString('base64') },
                ...(original ? { original: { mime: 'image/jpeg', base64: original.toString('base64') } } : {}),
                ...(small ? { thumb: { mime: 'image/jpeg', base64: small.toString('base64') } } : {}),
                width: 1200,
                height: 900,
                mode: 'color',
                capture: { deviceLabel: 'Fake camera', adapter: 'uvc', resolution: { width: 1024, height: 768 }, rotation: 0, trigger: 'auto', blank: false },
              },
              session,
            );
          } catch {
            return; // the connection died with the process: the outcome of this call is unknown
          }
          if (!r.ok) throw new Error(`refused: ${r.error?.code} ${r.error?.message}`);
          const pages = r.value!.pages as { id: number; sha256: string; originalSha256: string | null; hasThumb: boolean }[];
          const mine = pages.find((p) => p.sha256 === sha(bytes))!;
          acked.set(mine.id, { pageId: mine.id, sha256: sha(bytes), originalSha256: original ? sha(original) : null, thumbSha256: small ? sha(small) : null });
        }
      };
      const writers = [writer(false), writer(true)];
      const exited = new Promise((r) => proc.once('close', r));
      const at = window === 'free' ? await marks!.nth('write.committed', nth, ADD) : await marks!.held();
      expect(at, `round ${round}: ${window} #${nth}`).not.toBeNull();
      proc.kill('SIGKILL');
      await exited;
      stop = true;
      await Promise.all(writers);
      windows[window]++;
      floor += window === 'stored' ? 0 : window === 'applied' ? nth - 1 : nth;
      // Every page reported committed has its row, answered or not; the one stopped inside its
      // transaction has not. Only a kill in passing may fall between a commit and its report.
      const committed = marks!.count('write.committed', ADD);
      const added = pageRows(dataDir) - before;
      if (window === 'free') expect(added, `round ${round}`).toBeGreaterThanOrEqual(committed);
      else expect(added, `round ${round}: ${window} #${nth}`).toBe(committed);
      expect(added).toBeLessThanOrEqual(marks!.count('write.applied', ADD));
    }
    expect(windows).toEqual({ stored: 6, applied: 6, committed: 6, free: 6 });

    // Also leave what a kill in the middle of a file write leaves (FileStore.put has no mark): a temp
    // file, and a complete file no row refers to. The next start must remove both.
    const plantedDir = path.join(dataDir, 'files', 'ee');
    fs.mkdirSync(plantedDir, { recursive: true });
    const planted = [path.join(plantedDir, 'ee'.padEnd(64, '0')), path.join(plantedDir, '.tmp-planted')];
    for (const f of planted) fs.writeFileSync(f, 'left by a crash');

    // Start once more: the store opens normally and passes every check.
    const { proc } = await startHost(dataDir);
    for (const f of planted) expect(fs.existsSync(f), f).toBe(false);
    const final = checkStore(dataDir, acked);
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));

    const db = openTestStore(path.join(dataDir, 'desk.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
    expect(final.pages).toBeGreaterThanOrEqual(floor); // the test really wrote under load, as far as each kill point says
    expect(acked.size).toBeGreaterThan(0);
    expect(final.pages).toBeLessThanOrEqual(attempted);
    // How many kills fell between a file write and its commit (the start-up sweep removed what they left).
    const sweeps = fs
      .readFileSync(path.join(dataDir, 'logs', 'desk.log'), 'utf8')
      .split('\n')
      .filter((l) => l.includes('"files.orphansRemoved"'))
      .map((l) => (JSON.parse(l) as { removed: number }).removed);
    // Each life stopped after storing a file or inside a page's transaction left orphan files, and
    // the next start swept them (the last such life's with the planted ones, at the final start).
    expect(sweeps.length).toBeGreaterThanOrEqual(windows.stored + windows.applied);
    console.log(
      `scan-crash: ${ROUNDS} kills (stopped after a file ${windows.stored}, inside a page's write ${windows.applied}, after its commit ${windows.committed}, in passing ${windows.free}), ${attempted} addPage calls, ${acked.size} acknowledged, ${final.pages} page rows, ${final.files} files; ` +
        `${sweeps.length} starts swept ${sweeps.reduce((a, b) => a + b, 0)} orphan/temp files`,
    );
  }, KILL_TEST_TIMEOUT_MS);
});
