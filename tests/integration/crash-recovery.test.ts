import path from 'node:path';
import { openTestStore } from '../helpers/store';
import { describe, expect, it } from 'vitest';
import { startHost as spawnHost } from '../e2e/support/host';
import { idCheckChar } from '../../shared/rules/id-number';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import { tempDir } from '../helpers/temp';
import { killRandom, KILL_TEST_TIMEOUT_MS } from '../helpers/kill-points';

const ROUNDS = 30;

/** The built host on any free port, on this data dir, with its progress marks; it must come up ready (not in recovery). */
async function startHost(dataDir: string, hold?: { at: string; n: number }) {
  const h = await spawnHost({ dataDir, port: 0, progress: { hold } });
  if (h.state !== 'ready') throw new Error(`host came up in ${h.state}: ${h.output()}`);
  return h;
}

function idNumber(n: number): string {
  const birth = new Date(Date.UTC(1950, 0, 1) + n * 86_400_000);
  const ymd = birth.toISOString().slice(0, 10).replace(/-/g, '');
  const first17 = `420325${ymd}${String(n % 1000).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

/** How many applicants this test has written so far (read while no host runs). */
function written(dataDir: string): number {
  const db = openTestStore(path.join(dataDir, 'desk.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT COUNT(*) FROM applicants WHERE name LIKE '压测%'`).pluck().get() as number;
  } finally {
    db.close();
  }
}

const CREATE = 'applicant.create';

describe('durability: kill -9 in the middle of writes', () => {
  it(`keeps the store consistent and the audit chain intact over ${ROUNDS} hard kills`, async () => {
    const { int } = killRandom('crash-recovery');
    const dataDir = tempDir('desk-crash-');
    const acked = new Map<string, string>();
    let attempted = 0;
    let n = 0;
    const windows = { applied: 0, committed: 0, free: 0 };
    let floor = 0; // applicants each life wrote for sure: those before its kill point, and the one at it once committed
    for (let round = 0; round < ROUNDS; round++) {
      // The kill point is the N-th applicant written in this life: the host stopped inside that
      // write's transaction (done, not committed), or right after its commit (not yet answered);
      // or killed as soon as that commit is reported, wherever the four writers have got to then.
      const window = (['applied', 'committed', 'free'] as const)[round % 3]!;
      const nth = int(3, 25);
      const before = round === 0 ? 0 : written(dataDir);
      const { proc, port, token, marks } = await startHost(dataDir, window === 'free' ? undefined : { at: `write.${window} ${CREATE}`, n: nth });
      const rpc = async (method: string, input: unknown, session?: string) => {
        const res = await fetch(`http://127.0.0.1:${port}/api/rpc`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify({ id: String(++n), method, input, session }),
        });
        return (await res.json()) as { ok: boolean; value?: { token?: string }; error?: { code: string } };
      };
      const signIn = await rpc('auth.signIn', { username: 'zhangmin', password: 'Desk@2026' });
      expect(signIn.ok).toBe(true);
      const session = signIn.value!.token!;

      let stop = false;
      const writer = async () => {
        while (!stop) {
          const id = idNumber(n++);
          const name = `压测${id.slice(-6)}`;
          attempted++;
          try {
            const r = await rpc('applicants.create', { name, idType: 'resident_id', idNumber: id, phone: '13900000000' }, session);
            if (r.ok) acked.set(id, name);
            else throw new Error(`refused: ${r.error?.code}`);
          } catch (e) {
            if (String(e).includes('refused')) throw e;
            return; // the connection died with the process: the outcome of this one call is unknown
          }
        }
      };
      const writers = [writer(), writer(), writer(), writer()];
      const exited = new Promise((r) => proc.once('close', r));
      const at = window === 'free' ? await marks!.nth('write.committed', nth, CREATE) : await marks!.held();
      expect(at, `round ${round}: ${window} #${nth}`).not.toBeNull();
      proc.kill('SIGKILL');
      await exited;
      stop = true;
      await Promise.all(writers);
      windows[window]++;
      floor += window === 'applied' ? nth - 1 : nth;
      // Every write reported committed is in the store, acknowledged or not; the one stopped inside
      // its transaction is not. Only a kill in passing may fall between a commit and its report.
      const committed = marks!.count('write.committed', CREATE);
      const now = written(dataDir);
      if (window === 'free') expect(now - before, `round ${round}`).toBeGreaterThanOrEqual(committed);
      else expect(now - before, `round ${round}: ${window} #${nth}`).toBe(committed);
      expect(now - before).toBeLessThanOrEqual(marks!.count('write.applied', CREATE));
    }
    expect(windows).toEqual({ applied: 10, committed: 10, free: 10 });
    console.log(`crash-recovery: ${ROUNDS} kills (stopped inside a write ${windows.applied}, after its commit ${windows.committed}, in passing ${windows.free}); ${attempted} writes tried, ${acked.size} acknowledged`);

    // Start once more: the store must open normally (no recovery screen).
    const { proc } = await startHost(dataDir);
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));

    const db = openTestStore(path.join(dataDir, 'desk.sqlite'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(verifyAuditChain(db)).toMatchObject({ ok: true, firstBroken: null });
      // The applicants this test wrote (the demo seed's own are recorded by its seed.demo entry).
      const rows = db.prepare(`SELECT id, id_number, name FROM applicants WHERE name LIKE '压测%'`).all() as { id: number; id_number: string; name: string }[];
      const byId = new Map(rows.map((r) => [r.id_number, r.name]));
      // Every acknowledged write survived.
      for (const [id, name] of acked) expect(byId.get(id)).toBe(name);
      // Nothing half-written: each applicant has exactly one audit entry and each entry its applicant.
      const audited = db.prepare(`SELECT entity_id FROM audit_log WHERE action = 'applicant.create'`).all() as { entity_id: string }[];
      expect(audited.map((a) => Number(a.entity_id)).sort((a, b) => a - b)).toEqual(rows.map((r) => r.id).sort((a, b) => a - b));
      expect(rows.length).toBeGreaterThanOrEqual(floor); // the test really wrote under load, as far as each kill point says
      expect(acked.size).toBeGreaterThan(0);
      expect(rows.length).toBeLessThanOrEqual(attempted);
    } finally {
      db.close();
    }
  }, KILL_TEST_TIMEOUT_MS);
});
