/**
 * The hub witnesses every desk's audit log (docs/audit-checkpoints.md, "Witnessed by the hub"),
 * against a real PostgreSQL, the real hub (in process, on loopback) and desks with their own SQLite
 * files and real senders:
 * - each desk sends its audit entries and signed checkpoints through its sender's hub loop; the hub
 *   holds them append-only;
 * - the five tamperings of the security probe (edit; delete tail; delete all; edit and recompute;
 *   delete middle, renumber and recompute), made with the desk stopped and its triggers dropped (as in
 *   audit-tamper.test.ts), on desks that had already sent their audit, are each reported by the
 *   supervisor's 核验 at the hub naming the first disagreeing entry; an untampered desk verifies 一致;
 * - a desk cut off from the hub while writing catches up on reconnect exactly (no gaps, no duplicates).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import { testDesk, type TestDesk } from '../helpers/app';
import { enrolledDesk, type Hall } from '../helpers/hub-desks';
import { tempDir } from '../helpers/temp';
import { dbFile, waitFor, waitWhileProgressing } from '../helpers/sync-desks';
import { CuttableProxy } from '../helpers/cuttable-proxy';
import { freePort } from '../../hub/cluster';
import { serve } from '../../hub/main';
import { enrolDesk, hubIdentity } from '../../hub/trust';
import { createDeskKeys } from '../../electron/services/transfer/desk-keys';
import type { HubCard } from '../../electron/services/hub/hub-protocol';
import { backupName, writeBackupSync } from '../../electron/store/backups';
import { openTestStore } from '../helpers/store';

interface Row {
  seq: number;
  at: string;
  actor_id: number | null;
  actor_username: string;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

const pgc = usePostgres();
let url: string;
let pool: pg.Pool;
let hub: { close(): Promise<void>; port: number };
let hubCard: HubCard;
let hall: Hall;
let proxy: CuttableProxy;
let sup: TestDesk;
let supToken: string;
const running = new Set<TestDesk>();

async function start(dataDir: string): Promise<TestDesk> {
  const d = await testDesk({ dataDir });
  running.add(d);
  return d;
}

/** A desk enrolled at the hub, reaching it at `port`; stopped after the file. */
async function witnessDesk(deskId: string, port: number, supervisorDesk = false): Promise<TestDesk> {
  const d = await enrolledDesk(hall, { deskId, port, dir: 'hub-witness', supervisorDesk });
  running.add(d);
  return d;
}

async function stop(d: TestDesk): Promise<void> {
  running.delete(d);
  await d.app.stopSync();
  d.app.close();
}

function localRows(dataDir: string): Row[] {
  const db = openTestStore(dbFile(dataDir), { readonly: true });
  try {
    return db.prepare('SELECT seq, at, actor_id, actor_username, action, entity_type, entity_id, detail, prev_hash, hash FROM audit_log ORDER BY seq').all() as Row[];
  } finally {
    db.close();
  }
}

/** The checkpoint file's head lines, read by hand (not through the code under test). */
function headLines(dataDir: string): { seq: number }[] {
  return fs
    .readFileSync(path.join(dataDir, 'audit', 'checkpoints.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { kind: string; seq: number })
    .filter((l) => l.kind === 'head');
}

async function witnessed(deskId: string): Promise<{ seq: number; hash: string }[]> {
  return (await pool.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_witness_entries WHERE desk_id = $1 ORDER BY seq', [deskId])).rows.map((r) => ({ seq: Number(r.seq), hash: r.hash }));
}

async function witnessedCheckpoints(deskId: string): Promise<number> {
  return Number((await pool.query<{ n: string }>(`SELECT COUNT(*) AS n FROM audit_witness_checkpoints WHERE desk_id = $1 AND kind = 'head'`, [deskId])).rows[0]!.n);
}

/**
 * Waits until the hub holds every entry and every checkpoint line of the desk, exactly — as long as
 * the hub keeps taking more of them (its pace depends on the machine's load, not the total time).
 */
async function allWitnessed(deskId: string, dataDir: string): Promise<void> {
  await waitWhileProgressing(
    `the hub to hold all of ${deskId}'s audit`,
    async () => {
      const mine = localRows(dataDir).map((r) => ({ seq: r.seq, hash: r.hash }));
      const theirs = await witnessed(deskId);
      return mine.length > 0 && JSON.stringify(mine) === JSON.stringify(theirs) && (await witnessedCheckpoints(deskId)) === headLines(dataDir).length;
    },
    async () => (await witnessed(deskId)).length + (await witnessedCheckpoints(deskId)),
    60_000,
  );
}

/** 130 refused sign-ins: audited work (fast: an unknown user is not hashed). */
async function audited(d: TestDesk, n = 130, tag = 'nobody'): Promise<void> {
  for (let i = 0; i < n; i++) expect((await d.raw('auth.signIn', { username: `${tag}${i}`, password: 'wrong' })).ok).toBe(false);
}

/** The desk stopped, its triggers dropped, its audit log changed with better-sqlite3, as in audit-tamper.test.ts. */
function tamper(dataDir: string, fn: (db: Database.Database) => void): void {
  const db = openTestStore(dbFile(dataDir));
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
  fn(db);
  db.close();
}

/** The attacker's tool: the chain's published rule (SHA-256 over the JSON array of the fields), written out here. */
function recompute(rows: Row[]): Row[] {
  let prev = '0'.repeat(64);
  return rows.map((r, i) => {
    const seq = i + 1;
    const hash = createHash('sha256').update(JSON.stringify([prev, seq, r.at, r.actor_id, r.actor_username, r.action, r.entity_type, r.entity_id, r.detail]), 'utf8').digest('hex');
    const out = { ...r, seq, prev_hash: prev, hash };
    prev = hash;
    return out;
  });
}

function rewriteLog(db: Database.Database, rows: Row[]): void {
  db.transaction(() => {
    db.prepare('DELETE FROM audit_log').run();
    const ins = db.prepare('INSERT INTO audit_log (seq, at, actor_id, actor_username, action, entity_type, entity_id, detail, prev_hash, hash) VALUES (@seq, @at, @actor_id, @actor_username, @action, @entity_type, @entity_id, @detail, @prev_hash, @hash)');
    for (const r of rows) ins.run(r);
  })();
}

const verify = (deskId: string) => sup.call('hub.audit.verify', { deskId }, supToken);

beforeAll(async () => {
  url = await createDatabase(pgc.cluster, 'hub_witness');
  hub = await serve(url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: url, max: 4 });
  hubCard = (await hubIdentity(pool)).card;
  hall = { pool, card: hubCard };
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-witness-test';
  proxy = new CuttableProxy(await freePort(), () => hub.port);
  await proxy.open();
  sup = await witnessDesk('desk-sup', hub.port, true);
  supToken = (await sup.signIn('admin')).token;
}, 180_000);

afterAll(async () => {
  for (const d of running) await stop(d).catch(() => undefined);
  await proxy?.cut();
  await pool?.end();
  await hub?.close();
});

describe('the hub witnesses every desk’s audit', () => {
  it('an untampered desk verifies 一致, its entries and signed checkpoints held append-only at the hub; the supervisor’s request is audited', async () => {
    const d = await witnessDesk('desk-ok', hub.port);
    await audited(d);
    // A user name with a NUL character (which a PostgreSQL TEXT column refuses) is witnessed exactly too.
    expect((await d.raw('auth.signIn', { username: 'nul\u0000x', password: 'wrong' })).ok).toBe(false);
    expect(localRows(d.dataDir).filter((r) => r.actor_username.includes('\u0000'))).toHaveLength(1);
    await allWitnessed('desk-ok', d.dataDir);
    const rows = localRows(d.dataDir);
    const heads = headLines(d.dataDir);
    const v = await verify('desk-ok');
    expect(v.verdict).toBe('consistent');
    expect(v.message).toBe(`一致：全厅中心见证的 ${rows.length} 条记录与 ${heads.length} 个签名检查点相符（最近检查点记到第 ${heads.at(-1)!.seq} 条）。`);
    expect(v.firstSeq).toBeNull();
    // What was witnessed cannot be changed at the hub either.
    await expect(pool.query(`UPDATE audit_witness_entries SET entry = '[]' WHERE desk_id = 'desk-ok' AND seq = 5`)).rejects.toThrow(/append-only/);
    await expect(pool.query(`DELETE FROM audit_witness_entries WHERE desk_id = 'desk-ok'`)).rejects.toThrow(/append-only/);
    // Audited at the hub (who, from which desk) and on the supervisor's desk.
    const hubAudit = (await pool.query<{ actor: string; detail: { deskId: string; verdict: string } }>(`SELECT actor, detail FROM hub_audit WHERE action = 'audit.verify'`)).rows;
    expect(hubAudit.map((r) => [r.detail.deskId, r.detail.verdict])).toEqual([['desk-ok', 'consistent']]);
    expect(hubAudit[0]!.actor).toContain('@desk-sup 窗口（desk-sup）');
    const mine = localRows(sup.dataDir).filter((r) => r.action === 'hub.auditVerified');
    expect(mine.map((r) => [r.actor_username, r.entity_id, (JSON.parse(r.detail) as { verdict: string }).verdict])).toEqual([['admin', 'desk-ok', 'consistent']]);
    // The listing shows it.
    const list = await sup.call('hub.audit.desks', {}, supToken);
    const row = list.desks.find((x) => x.deskId === 'desk-ok')!;
    expect(row.entries).toBe(rows.length);
    expect(row.lastCheckpoint?.seq).toBe(heads.at(-1)!.seq);
    expect(row.findings).toBe(0);
    expect(row.lastSentAt).not.toBeNull();
    await stop(d);
  }, 120_000);

  const cases: { name: string; deskId: string; change: (db: Database.Database) => void; first: number; detail: (witnessedTo: number) => string }[] = [
    {
      name: 'an entry edited',
      deskId: 'desk-edit',
      change: (db) => db.prepare(`UPDATE audit_log SET detail = '{"reason":"nothing happened"}' WHERE seq = 60`).run(),
      first: 60,
      detail: () => '（工作台的第 60 条内容被改动（与其哈希不符））',
    },
    { name: 'the tail deleted', deskId: 'desk-tail', change: (db) => db.prepare('DELETE FROM audit_log WHERE seq > 100').run(), first: 101, detail: (to) => `（工作台的审计日志只到第 100 条，全厅中心见证到第 ${to} 条：末尾被删除）` },
    { name: 'every entry deleted', deskId: 'desk-empty', change: (db) => db.prepare('DELETE FROM audit_log').run(), first: 1, detail: (to) => `（工作台的审计日志被全部删除：全厅中心见证到第 ${to} 条）` },
    {
      name: 'an entry edited and the chain recomputed',
      deskId: 'desk-recomputed',
      change: (db) => {
        const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[];
        rows[59]!.detail = '{"reason":"nothing happened"}'; // seq 60
        rewriteLog(db, recompute(rows));
      },
      first: 60,
      detail: () => '（工作台的第 60 条哈希与见证的不同：记录被改动或删除后重新编号，并重算了哈希链）',
    },
    {
      name: 'entries deleted in the middle, the rest renumbered and the chain recomputed',
      deskId: 'desk-renumbered',
      change: (db) => {
        const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Row[];
        rows.splice(54, 4); // seq 55–58 gone
        rewriteLog(db, recompute(rows));
      },
      first: 55,
      detail: () => '（工作台的第 55 条哈希与见证的不同：记录被改动或删除后重新编号，并重算了哈希链）',
    },
  ];

  for (const c of cases) {
    it(`${c.name} after the desk sent its audit: the hub's 核验 names entry ${c.first}`, async () => {
      let d = await witnessDesk(c.deskId, hub.port);
      await audited(d);
      await allWitnessed(c.deskId, d.dataDir);
      expect((await verify(c.deskId)).verdict).toBe('consistent');
      await stop(d);
      // What the hub witnessed once the desk stopped (an entry the desk wrote after the wait above,
      // and sent before it stopped, counts too: read any earlier, the expected message would race it).
      const before = await witnessed(c.deskId);
      const tamperedAt = Date.now();
      tamper(d.dataDir, c.change);
      d = await start(d.dataDir); // its sender re-checks what the hub witnessed
      const v = await waitFor(`the hub to flag ${c.deskId}`, async () => {
        const r = await verify(c.deskId);
        return r.verdict === 'consistent' ? null : r;
      });
      expect(v.verdict).toBe('tampered');
      expect(v.firstSeq).toBe(c.first);
      expect(Date.parse(v.foundAt!)).toBeGreaterThanOrEqual(tamperedAt - 1000); // found after the tampering, not before
      expect(v.message).toBe(`发现篡改：第 ${c.first} 条起与全厅中心见证的记录不一致${c.detail(before.length)}`);
      // The hub kept what it witnessed: not one entry changed or removed, none added on the rewritten chain.
      const after = await witnessed(c.deskId);
      expect(after.slice(0, before.length)).toEqual(before);
      const local = localRows(d.dataDir);
      for (const w of after.slice(before.length)) expect(local.find((r) => r.seq === w.seq)?.hash).toBe(w.hash);
      await stop(d);
    }, 120_000);
  }

  it('a desk that never sent its audit is reported 缺少; a desk whose checkpoint key was replaced is reported 签名无效 and nothing it signs with the new key is taken', async () => {
    const quiet = createDeskKeys(tempDir('hub-witness-quiet-'), { deskId: 'desk-quiet', name: 'desk-quiet 窗口', zone: 'intranet', signAlg: 'ed25519' });
    await enrolDesk(pool, quiet.card, '李主任');
    const q = await verify('desk-quiet');
    expect([q.verdict, q.message]).toEqual(['missing', '缺少审计记录：该工作台尚未向全厅中心发送审计日志，无从核验。']);

    let d = await witnessDesk('desk-rekeyed', hub.port);
    await audited(d, 20);
    await allWitnessed('desk-rekeyed', d.dataDir);
    await stop(d);
    const before = await witnessed('desk-rekeyed');
    // Someone with the folder deletes the key (to re-sign a rewritten log with a new one): the desk makes a new key at start.
    fs.rmSync(path.join(d.dataDir, 'audit', 'audit-key.json'));
    d = await start(d.dataDir);
    await audited(d, 5, 'after');
    const v = await waitFor('the hub to flag desk-rekeyed', async () => {
      const r = await verify('desk-rekeyed');
      return r.verdict === 'consistent' ? null : r;
    });
    expect(v.verdict).toBe('bad_signature');
    expect(v.message).toBe('签名无效：工作台的审计签名密钥与全厅中心登记的不同（审计密钥被更换，之后的检查点可能被重新签名）');
    expect(await witnessed('desk-rekeyed')).toEqual(before);
    await stop(d);
  }, 120_000);

  it('a desk restored from a backup: the hub follows the new store on its signed restore line and keeps what it witnessed of the old one', async () => {
    let d = await witnessDesk('desk-restored', hub.port);
    await audited(d, 30);
    await allWitnessed('desk-restored', d.dataDir);
    await stop(d);
    const backup = writeBackupSync(dbFile(d.dataDir), path.join(d.dataDir, 'backups'), backupName('daily', new Date()));
    d = await start(d.dataDir);
    await audited(d, 20, 'later'); // written after the backup: lost with the restore, kept at the hub
    await allWitnessed('desk-restored', d.dataDir);
    const oldEpoch = await witnessed('desk-restored');
    await stop(d);
    fs.writeFileSync(dbFile(d.dataDir), ''); // a failed disk: recovery mode
    d = await start(d.dataDir);
    await d.call('system.restoreBackup', { backup: backup.name, username: 'admin', password: 'Desk@2026' });
    await audited(d, 5, 'restored');
    const rows = await waitFor('the hub to follow the restored store', async () => {
      const local = localRows(d.dataDir);
      const epochs = await pool.query<{ epoch: string }>(`SELECT epoch FROM audit_witness_epochs WHERE desk_id = 'desk-restored' ORDER BY n`);
      if (epochs.rowCount !== 2) return null;
      const held = (await pool.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_witness_entries WHERE desk_id = $1 AND epoch = $2 ORDER BY seq', ['desk-restored', epochs.rows[1]!.epoch])).rows;
      return held.length === local.length && held.every((h, i) => h.hash === local[i]!.hash) ? local : null;
    });
    const v = await verify('desk-restored');
    expect(v.verdict).toBe('consistent');
    expect(v.entries).toBe(rows.length);
    expect(v.message).toContain(`此前该工作台的数据库经签名的恢复或更换 1 次，更换前见证的 ${oldEpoch.length} 条记录仍保留在全厅中心。`);
    // Nothing of the old store's witnessed entries changed.
    const stillOld = (await pool.query<{ seq: string; hash: string }>(`SELECT e.seq, e.hash FROM audit_witness_entries e JOIN audit_witness_epochs x ON x.desk_id = e.desk_id AND x.epoch = e.epoch AND x.n = 1 WHERE e.desk_id = 'desk-restored' ORDER BY e.seq`)).rows;
    expect(stillOld.map((r) => ({ seq: Number(r.seq), hash: r.hash }))).toEqual(oldEpoch);
    await stop(d);
  }, 120_000);

  it('a desk cut off from the hub while writing catches up on reconnect exactly: no gaps, no duplicates', async () => {
    const d = await witnessDesk('desk-offline', proxy.port);
    await audited(d, 40, 'first');
    await allWitnessed('desk-offline', d.dataDir);
    await proxy.cut();
    await audited(d, 1200, 'offline'); // more than two batches of 500, with their checkpoints (every 50)
    const heldWhileCut = await witnessed('desk-offline');
    expect(heldWhileCut.length).toBeLessThan(localRows(d.dataDir).length - 1000);
    await proxy.open();
    await allWitnessed('desk-offline', d.dataDir);
    const w = await witnessed('desk-offline');
    const local = localRows(d.dataDir);
    expect(w.map((x) => x.seq)).toEqual(local.map((_, i) => i + 1));
    expect(w.map((x) => x.hash)).toEqual(local.map((r) => r.hash));
    expect((await verify('desk-offline')).verdict).toBe('consistent');
    await stop(d);
  }, 600_000); // 1,240 audited sign-ins and their catch-up: a bound for a loaded machine, not a speed measure
});
