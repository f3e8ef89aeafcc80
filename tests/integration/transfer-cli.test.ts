/**
 * The command-line import, as a gateway script runs it: two processes importing the same
 * bundle at once apply it once (and eight more imports change nothing); kill -9 at random
 * points of an import, 100 times: each time the store holds the whole bundle or none of it,
 * and importing again succeeds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/temp';
import { importBundle } from '../../electron/services/transfer/import-bundle';
import { openTransfer } from '../../electron/services/transfer/open-transfer';
import { ACTOR, caseWithPages, contentDigest, manifestIn, pairOfDesks, type Side } from './transfer-support';

const CLI = path.join(ROOT, 'dist', 'electron', 'cli.cjs');
const open: Side[] = [];
afterAll(async () => {
  for (const s of open) await s.close();
});

function cli(dataDir: string, ...args: string[]): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args, '--data-dir', dataDir]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('exit', (code, signal) => resolve({ code, signal, out, err }));
  });
}

/** The receiving desk's store, closed and copied: a fresh copy per attempt. */
function snapshot(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, filter: (src) => !src.includes(`${path.sep}logs`) });
}

describe('bundle-import on the command line', () => {
  let a: Side;
  let b: Side;
  let bundle: string;
  let baseDir: string;
  let baseDigest: string;

  it('prepares a bundle of 20 cases and a closed copy of the receiving desk', async () => {
    ({ a, b } = await pairOfDesks());
    open.push(a);
    for (let i = 0; i < 20; i++) await caseWithPages(a, 2, 200 + i);
    const dir = tempDir('bundle-cli-');
    const r = spawnSync(process.execPath, [CLI, 'bundle-export', '--out', dir, '--chunk-mb', '0.05', '--data-dir', a.dataDir], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/已导出交换包 .*20 条办件记录/);
    bundle = manifestIn(dir);
    await b.close();
    baseDir = tempDir('desk-base-');
    snapshot(b.dataDir, baseDir);
    const db = new Database(path.join(baseDir, 'desk.sqlite'));
    baseDigest = contentDigest(db);
    db.close();
  }, 180_000);

  it('two processes importing the same bundle at once apply it once; eight more imports change nothing', async () => {
    const dir = tempDir('desk-twice-');
    snapshot(baseDir, dir);
    const [p, q] = await Promise.all([cli(dir, 'bundle-import', '--from', bundle), cli(dir, 'bundle-import', '--from', bundle)]);
    expect([p.code, q.code], p.err + q.err).toEqual([0, 0]);
    const said = [p.out, q.out].join('\n');
    expect(said.match(/已导入交换包/g)).toHaveLength(1);
    expect(said.match(/此前已导入，本次未作任何改动/g)).toHaveLength(1);
    const t = openTransfer(dir);
    const first = contentDigest(t.ctx.db);
    for (let i = 0; i < 8; i++) expect((await importBundle(t.ctx, ACTOR, bundle)).status).toBe('already');
    expect(contentDigest(t.ctx.db)).toBe(first);
    expect(t.ctx.db.prepare(`SELECT COUNT(*) FROM audit_log WHERE action = 'transfer.import'`).pluck().get()).toBe(1);
    expect(t.ctx.db.prepare(`SELECT COUNT(*) FROM outbox_entries WHERE target_id = 'prov'`).pluck().get()).toBe(20);
    t.close();
  }, 120_000);

  it('kill -9 at random points of an import, 100 times: all of it or none of it, and the next import succeeds', async () => {
    // How long an import takes here once the process has started, to spread the kills over it.
    const probe = tempDir('desk-probe-');
    snapshot(baseDir, probe);
    const importSpan = await new Promise<number>((resolve) => {
      const p = spawn(process.execPath, [CLI, 'bundle-import', '--from', bundle, '--data-dir', probe]);
      let started = 0;
      p.stdout.on('data', (d: Buffer) => {
        if (!started && d.toString().includes('正在校验并导入')) started = Date.now();
      });
      p.on('exit', (code) => {
        expect(code).toBe(0);
        resolve(Date.now() - started);
      });
    });
    let whole = 0;
    let none = 0;
    let finished = 0;
    const attempt = async () => {
      const dir = tempDir('desk-kill-');
      snapshot(baseDir, dir);
      const p = spawn(process.execPath, [CLI, 'bundle-import', '--from', bundle, '--data-dir', dir]);
      const exited = new Promise<void>((r) => p.on('exit', () => r()));
      // Wait for the import to begin, then kill at a random point of it (or a little after).
      await new Promise<void>((r) => {
        p.stdout.on('data', (d: Buffer) => d.toString().includes('正在校验并导入') && r());
        p.on('exit', () => r());
      });
      await new Promise((r) => setTimeout(r, Math.random() * importSpan * 1.2));
      if (p.exitCode === null) p.kill('SIGKILL');
      else finished++;
      await exited;
      const t = openTransfer(dir);
      const applied = t.ctx.db.prepare('SELECT COUNT(*) FROM transfer_bundles_in').pluck().get() as number;
      const entries = t.ctx.db.prepare(`SELECT COUNT(*) FROM outbox_entries WHERE target_id = 'prov'`).pluck().get() as number;
      if (applied) {
        expect(entries).toBe(20);
        whole++;
      } else {
        expect(contentDigest(t.ctx.db)).toBe(baseDigest);
        none++;
      }
      const again = await importBundle(t.ctx, ACTOR, bundle);
      expect(again.status).toBe(applied ? 'already' : 'applied');
      expect(t.ctx.db.prepare(`SELECT COUNT(*) FROM outbox_entries WHERE target_id = 'prov'`).pluck().get()).toBe(20);
      for (const sha of t.ctx.db.prepare('SELECT sha256 FROM transfer_case_files').pluck().all() as string[]) t.ctx.files.get(sha);
      t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    };
    // Two at a time (separate stores), 100 in all.
    for (let i = 0; i < 50; i++) await Promise.all([attempt(), attempt()]);
    console.log(`kill -9 ×100 over ${importSpan} ms imports: ${whole} complete, ${none} without a trace (${finished} had finished before the kill)`);
    expect(whole + none).toBe(100);
    expect(none).toBeGreaterThan(0);
    expect(whole).toBeGreaterThan(0);
  }, 300_000);
});
