/**
 * The command-line import, as a gateway script runs it: two processes importing the same
 * bundle at once apply it once (and eight more imports change nothing); kill -9 at points of an
 * import drawn from its own progress marks (seeded, KILL_SEED replays), 100 times: each time the
 * store holds the whole bundle or none of it, and importing again succeeds.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { copyStoreKey, openTestStore } from '../helpers/store';
import { afterAll, describe, expect, it } from 'vitest';
import type { Readable } from 'node:stream';
import { ROOT, tempDir } from '../helpers/temp';
import { killRandom, progressEnv, ProgressMarks, KILL_TEST_TIMEOUT_MS } from '../helpers/kill-points';
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
  copyStoreKey(from, to);
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
    const db = openTestStore(path.join(baseDir, 'desk.sqlite'));
    baseDigest = contentDigest(db);
    db.close();
  }, 600_000);

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
  }, 300_000);

  it('kill -9 at points of an import drawn from its own progress, 100 times: all of it or none of it, and the next import succeeds', async () => {
    const { random } = killRandom('transfer-cli import');
    /** One CLI import with its progress marks on fd 3; stopped for good at `hold`, if given. */
    const run = (dir: string, hold?: { at: string; n: number }) => {
      const p = spawn(process.execPath, [CLI, 'bundle-import', '--from', bundle, '--data-dir', dir], {
        env: { ...process.env, ...progressEnv(hold) },
        stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
      });
      let err = '';
      p.stderr!.on('data', (d) => (err += d));
      const exited = new Promise<number | null>((r) => p.on('close', (code) => r(code))); // after its fd 3 is read to the end
      return { p, marks: new ProgressMarks(p.stdio[3] as Readable), exited, err: () => err };
    };

    // The stages of a whole import, as the importer reports them: verified into staging (segment
    // by segment), its files placed into the store, its entries applied in one transaction, committed.
    const probeDir = tempDir('desk-probe-');
    snapshot(baseDir, probeDir);
    const probe = run(probeDir);
    expect(await probe.exited, probe.err()).toBe(0);
    const stages = probe.marks.seen.map((m, i, all) => ({ mark: m.mark, n: all.slice(0, i + 1).filter((x) => x.mark === m.mark).length }));
    const names = stages.map((s) => s.mark);
    const at = (mark: string) => names.indexOf(mark);
    expect(names.join(' ')).toMatch(
      /^import\.begin (import\.segment )+import\.verified (import\.filePlaced ){40}import\.filesPlaced import\.applying (import\.entry ){20}write\.applied write\.committed import\.committed$/,
    );
    const committedAt = at('write.committed');
    const windows = {
      verify: stages.slice(0, at('import.verified') + 1), // begun, segments opened and staged, verified: nothing in the store yet
      place: stages.slice(at('import.verified') + 1, at('import.applying') + 1), // files moved into the store, no row refers to them
      apply: stages.slice(at('import.applying') + 1, committedAt), // inside the transaction, not committed
      committed: stages.slice(committedAt), // committed, the process not yet done
    };
    console.log(`import stages: ${Object.entries(windows).map(([w, s]) => `${w} ${s.length}`).join(', ')} marks`);

    const tally = { whole: 0, none: 0, held: { verify: 0, place: 0, apply: 0, committed: 0 }, free: 0, finished: 0 };
    const attempt = async (k: number) => {
      const dir = tempDir('desk-kill-');
      snapshot(baseDir, dir);
      // Four kills in five stop the importer at a mark of one window in turn (drawn within it)
      // and kill it there; the fifth kills it as soon as a mark drawn from the whole import is
      // seen, wherever the importer has got to by then.
      const window = (['verify', 'place', 'apply', 'committed', 'free'] as const)[k % 5]!;
      const from = window === 'free' ? stages : windows[window];
      const point = from[Math.floor(random() * from.length)]!;
      const i = run(dir, window === 'free' ? undefined : { at: point.mark, n: point.n });
      const stopped = window === 'free' ? await i.marks.nth(point.mark, point.n) : await i.marks.held();
      expect(stopped, `${window} kill at ${point.mark} #${point.n}: ${i.err()}`).not.toBeNull();
      if (i.p.exitCode === null) i.p.kill('SIGKILL');
      else tally.finished++;
      await i.exited;
      const t = openTransfer(dir);
      const applied = t.ctx.db.prepare('SELECT COUNT(*) FROM transfer_bundles_in').pluck().get() as number;
      const entries = t.ctx.db.prepare(`SELECT COUNT(*) FROM outbox_entries WHERE target_id = 'prov'`).pluck().get() as number;
      if (applied) {
        expect(entries).toBe(20);
        tally.whole++;
      } else {
        expect(contentDigest(t.ctx.db)).toBe(baseDigest);
        tally.none++;
      }
      if (window === 'free') tally.free++;
      else {
        // Stopped at a known point: the outcome is known too.
        expect(applied, `killed at ${point.mark} #${point.n}`).toBe(window === 'committed' ? 1 : 0);
        tally.held[window]++;
      }
      const again = await importBundle(t.ctx, ACTOR, bundle);
      expect(again.status).toBe(applied ? 'already' : 'applied');
      expect(t.ctx.db.prepare(`SELECT COUNT(*) FROM outbox_entries WHERE target_id = 'prov'`).pluck().get()).toBe(20);
      for (const sha of t.ctx.db.prepare('SELECT sha256 FROM transfer_case_files').pluck().all() as string[]) t.ctx.files.get(sha);
      t.close();
      fs.rmSync(dir, { recursive: true, force: true });
    };
    // Two at a time (separate stores), 100 in all.
    for (let k = 0; k < 100; k += 2) await Promise.all([attempt(k), attempt(k + 1)]);
    console.log(
      `kill -9 ×100 during imports: ${tally.whole} complete, ${tally.none} without a trace; stopped and killed while verifying ${tally.held.verify}, ` +
        `placing files ${tally.held.place}, applying ${tally.held.apply}, after the commit ${tally.held.committed}; ${tally.free} killed on a mark in passing (${tally.finished} had finished first)`,
    );
    expect(tally.whole + tally.none).toBe(100);
    // Every window was hit, by construction: 20 stops in each, 60 before the commit and 20 after it.
    expect(tally.held).toEqual({ verify: 20, place: 20, apply: 20, committed: 20 });
    expect(tally.none).toBeGreaterThanOrEqual(60);
    expect(tally.whole).toBeGreaterThanOrEqual(20);
  }, KILL_TEST_TIMEOUT_MS);
});
