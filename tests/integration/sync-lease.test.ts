/**
 * The sender re-checks its lease right before every send (electron/services/sync/sender.ts,
 * holdLease): an entry is posted only while this claim still holds it — in flight, leased by this
 * sender under the attempt the claim began, not run out. Against a small target on loopback that
 * holds its first answer until the test lets it go (so the order of events follows the work, not
 * the clock): while the first case is held, the two claimed behind it change hands.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openTestStore } from '../helpers/store';
import { afterAll, describe, expect, it } from 'vitest';
import { desksClosedAfterEach } from '../helpers/desk-cleanup';
import { tempDir } from '../helpers/temp';
import { acceptCase, applicantIdOf, dbFile, FAST_SENDER, httpTarget, plainItem, waitForSender, writeConfig } from '../helpers/sync-desks';

/** A target that stores cases by externalRef, answers look-ups, and holds its first post until `release()`. */
function holdingTarget() {
  const posts: { key: string; externalRef: string }[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let firstHeld!: () => void;
  const held = new Promise<void>((r) => (firstHeld = r));
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && url.pathname === '/health') return json(200, { ok: true });
    if (req.method === 'GET' && url.pathname === '/api/cases') {
      const ref = url.searchParams.get('externalRef');
      return json(200, { items: posts.filter((p) => p.externalRef === ref).map((p, i) => ({ externalRef: p.externalRef, caseNo: `H-${ref}-${i}` })) });
    }
    if (req.method === 'POST' && url.pathname === '/api/cases') {
      let body = '';
      req.setEncoding('utf8').on('data', (c: string) => (body += c));
      req.on('end', () => {
        const externalRef = String((JSON.parse(body) as { externalRef: string }).externalRef);
        posts.push({ key: String(req.headers['idempotency-key']), externalRef });
        const answer = () => json(201, { caseNo: `H-${posts.length}`, duplicate: false });
        if (posts.length === 1) {
          firstHeld();
          void released.then(answer);
        } else answer();
      });
      return;
    }
    json(404, { error: { message: 'not found' } });
  });
  return { server, posts, held, release };
}

const target = holdingTarget();
const testDesk = desksClosedAfterEach();
afterAll(() => new Promise<void>((r) => target.server.close(() => r())));

interface Row {
  id: number;
  case_no: string;
  state: string;
  lease_owner: string | null;
  attempts: number;
  idempotency_key: string;
  target_case_no: string | null;
}

describe('the sender re-checks its lease before every send', () => {
  it('does not send an entry whose lease was taken over, settled elsewhere, or claimed again', async () => {
    await new Promise<void>((r) => target.server.listen(0, '127.0.0.1', () => r()));
    const url = `http://127.0.0.1:${(target.server.address() as AddressInfo).port}/`;
    const dataDir = tempDir('desk-sync-lease-');
    // One case at a time, a lease long enough that none runs out by itself during the test.
    writeConfig(dataDir, { version: 1, sender: { ...FAST_SENDER, leaseMs: 600_000 }, targets: [httpTarget('hold', url, 'none', { concurrency: 1, sendFiles: false })] });
    const prep = await testDesk({ dataDir, sync: false });
    const token = (await prep.signIn('zhangmin')).token;
    const item = await plainItem(prep, token);
    const applicant = await applicantIdOf(prep, token);
    for (let i = 0; i < 3; i++) await acceptCase(prep, token, applicant, item.id);
    prep.app.close();

    const d = await testDesk({ dataDir });
    const db = openTestStore(dbFile(dataDir));
    db.pragma('busy_timeout = 5000');
    try {
      const rows = () =>
        db
          .prepare(`SELECT e.id, c.case_no, e.state, e.lease_owner, e.attempts, e.idempotency_key, e.target_case_no FROM outbox_entries e JOIN cases c ON c.id = e.case_id WHERE e.target_id = 'hold' ORDER BY e.id`)
          .all() as Row[];
      // The first case is at the target, its answer held; one claim took all three (concurrency 1 ×4).
      await target.held;
      const [e1, e2, e3] = rows();
      expect([e1!.state, e2!.state, e3!.state]).toEqual(['in_flight', 'in_flight', 'in_flight']);
      const owner = e1!.lease_owner!;
      expect(e2!.lease_owner).toBe(owner);
      expect(target.posts.map((p) => p.externalRef)).toEqual([e1!.case_no]);

      db.transaction(() => {
        // e2: another sender took the lease over and delivered it (what two hosts on one folder did).
        db.prepare(`UPDATE outbox_entries SET lease_owner = 'other-desk', attempts = attempts + 1 WHERE id = ? AND state = 'in_flight' AND lease_owner = ?`).run(e2!.id, owner);
        db.prepare(`UPDATE outbox_entries SET state = 'acknowledged', target_case_no = 'ELSEWHERE-1', acknowledged_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ?`).run(
          new Date().toISOString(),
          e2!.id,
        );
        // e3: its lease ran out and it was claimed again by this very sender: a new attempt, so the
        // claim waiting in the lane no longer holds it. (Left in flight and run out, it is recovered
        // as unknown and resolved by the look-up first — it may have been sent.)
        db.prepare(`UPDATE outbox_entries SET attempts = attempts + 1, lease_until = ? WHERE id = ? AND lease_owner = ?`).run(new Date(Date.now() - 1000).toISOString(), e3!.id, owner);
      })();
      target.release();

      await waitForSender('e1 and e3 acknowledged', dataDir, () => {
        const r = rows();
        return r[0]!.state === 'acknowledged' && r[2]!.state === 'acknowledged';
      });
      const after = rows();
      // e2 never reached the target from this desk; it keeps the other sender's outcome.
      expect(target.posts.filter((p) => p.externalRef === e2!.case_no)).toEqual([]);
      expect(after[1]).toMatchObject({ state: 'acknowledged', target_case_no: 'ELSEWHERE-1' });
      // e3 was not sent by the stale claim: it reached the target once, through its recovery (look-up, then post).
      expect(target.posts.filter((p) => p.externalRef === e3!.case_no)).toHaveLength(1);
      expect(target.posts.map((p) => p.externalRef)).toEqual([e1!.case_no, e3!.case_no]);
      const lost = d.app.logger.recent().filter((l) => l.event === 'sync.leaseLost');
      expect(lost.map((l) => l.entry).sort()).toEqual([e2!.id, e3!.id].sort());
      expect(d.app.logger.recent().some((l) => l.event === 'sync.leasesExpired')).toBe(true);
    } finally {
      db.close();
      await d.app.stopSync();
      d.app.close();
    }
  }, 120_000); // a bound for a loaded machine (three desks' worth of intake); the wait inside follows the sender
});
