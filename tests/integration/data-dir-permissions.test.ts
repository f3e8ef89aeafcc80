/**
 * The data folder is the desk's alone (issue 15, point 7): on a fresh data folder every folder is
 * 0700 and every file 0600 — the store, its WAL, the log, the stored scan pages, the sync settings
 * with their tokens, the audit key and checkpoints; a folder an older version left open is tightened
 * at the next start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { documentJpeg } from '../helpers/jpeg';

const PAGE = documentJpeg(640, 900, { seed: 3 });

function modes(root: string): { folders: Record<string, string>; files: Record<string, string> } {
  const folders: Record<string, string> = {};
  const files: Record<string, string> = {};
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      const mode = (fs.statSync(p).mode & 0o777).toString(8);
      if (e.isDirectory()) {
        folders[path.relative(root, p)] = mode;
        walk(p);
      } else if (e.isFile()) files[path.relative(root, p)] = mode;
    }
  };
  folders['.'] = (fs.statSync(root).mode & 0o777).toString(8);
  walk(root);
  return { folders, files };
}

describe.skipIf(process.platform === 'win32')('data folder permissions', () => {
  it('a fresh data folder: folders 0700, files 0600 — the store, the log, a stored page, the sync settings, the audit key', async () => {
    const desk = await testDesk({ sync: false });
    const clerk = (await desk.signIn('zhangmin')).token;
    const doc = await desk.call('scans.createDocument', { kind: 'other', title: '营业执照' }, clerk);
    const capture = { deviceLabel: 'USB Document Camera (1234:5678)', adapter: 'uvc' as const, resolution: { width: 1024, height: 768 }, rotation: 0 as const, trigger: 'manual' as const, blank: false };
    await desk.call('scans.addPage', { documentId: doc.id, page: { mime: 'image/jpeg', base64: PAGE.toString('base64') }, width: 640, height: 900, mode: 'color', capture }, clerk);
    desk.app.close();
    const m = modes(desk.dataDir);
    // The files this test is about are there…
    for (const f of ['desk.sqlite', 'sync-targets.json', path.join('logs', 'desk.log'), path.join('audit', 'audit-key.json'), path.join('audit', 'checkpoints.jsonl')]) expect(m.files[f], f).toBeDefined();
    expect(Object.keys(m.files).filter((f) => f.startsWith('files' + path.sep)).length).toBeGreaterThan(0);
    // …and nothing is open to other accounts.
    expect(Object.entries(m.folders).filter(([, mode]) => mode !== '700')).toEqual([]);
    expect(Object.entries(m.files).filter(([, mode]) => mode !== '600')).toEqual([]);
  });

  it('a data folder an older version left open is tightened at the next start', async () => {
    const dataDir = tempDir('perm-old-');
    const first = await testDesk({ dataDir, sync: false });
    first.app.close();
    fs.chmodSync(dataDir, 0o755);
    fs.chmodSync(path.join(dataDir, 'desk.sqlite'), 0o644);
    fs.chmodSync(path.join(dataDir, 'sync-targets.json'), 0o644);
    const again = await testDesk({ dataDir, sync: false });
    again.app.close();
    expect((fs.statSync(dataDir).mode & 0o777).toString(8)).toBe('700');
    expect((fs.statSync(path.join(dataDir, 'desk.sqlite')).mode & 0o777).toString(8)).toBe('600');
    expect((fs.statSync(path.join(dataDir, 'sync-targets.json')).mode & 0o777).toString(8)).toBe('600');
  });
});
