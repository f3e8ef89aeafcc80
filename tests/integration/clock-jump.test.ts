/**
 * A clock set back a day (electron/app/clock.ts: wall clock for what a person reads, the
 * monotonic clock for every duration).
 *
 * - The browser host as its own process with its clock really moved while it runs: libfaketime
 *   preloaded into it (LD_PRELOAD, not the `faketime` wrapper, which forks a child), its offset
 *   read from a file the test rewrites (FAKETIME_TIMESTAMP_FILE, FAKETIME_NO_CACHE=1) and the
 *   monotonic clock left alone (DONT_FAKE_MONOTONIC=1), as when someone sets the system time:
 *   a retry waiting on the vertical-system simulator (in this process, real time) is not stalled
 *   for the day, and an idle session still locks.
 * - In process, with createApp's injected wall clock (`now`) and monotonic clock, where a real
 *   moved clock is impractical: a lockout (15 minutes) is not lengthened, whether the clock moves
 *   while the desk runs or between a lock and a restart; a retry wait written under a clock since
 *   set back is cut to its back-off at start; 立即同步 releases waiting retries; audit-verify
 *   flags the entries written after the clock went back.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { openTestStore } from '../helpers/store';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startHost, type RunningHost } from '../e2e/support/host';
import { CallFailed, testDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { startVerticalSim, type SimHandle } from '../../sim/vertical-system';
import { DEMO_PASSWORD } from '../../electron/seed/seed-demo';
import { backoffCapMs } from '../../electron/services/sync/backoff';
import { acceptCase, applicantIdOf, dbFile, FAST_SENDER, httpTarget, plainItem, simTarget, waitFor, writeConfig } from '../helpers/sync-desks';

const LIBFAKETIME = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/faketime/libfaketime.so.1'].find((f) =>
  fs.existsSync(f),
);
const DAY = 24 * 3600_000;
const CLI = path.join(ROOT, 'dist', 'electron', 'cli.cjs');

let sim: SimHandle;
const hosts: RunningHost[] = [];
beforeAll(async () => {
  sim = await startVerticalSim({ dataDir: tempDir('sim-clock-'), targets: [simTarget('plain', false)] });
});
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.kill('SIGKILL')));
  await sim.reset(); // every desk numbers its first case alike: the target starts empty for each test
});
afterAll(async () => {
  await sim.close();
});

interface Entry {
  id: number;
  state: string;
  attempts: number;
  next_attempt_at: string | null;
  acknowledged_at: string | null;
}
function entry(dataDir: string): Entry {
  const db = openTestStore(dbFile(dataDir), { readonly: true });
  try {
    return db.prepare(`SELECT id, state, attempts, next_attempt_at, acknowledged_at FROM outbox_entries WHERE target_id = 'plain'`).get() as Entry;
  } finally {
    db.close();
  }
}

/** One accepted case queued for `plain`, the sender not yet running. */
async function oneQueued(sender: Record<string, number>): Promise<{ dataDir: string; caseNo: string }> {
  const dataDir = tempDir('desk-clock-');
  writeConfig(dataDir, { version: 1, sender: { ...FAST_SENDER, ...sender }, targets: [httpTarget('plain', sim.targets.plain!, 'none', { sendFiles: false })] });
  const prep = await testDesk({ dataDir, sync: false });
  const token = (await prep.signIn('zhangmin')).token;
  const { caseNo } = await acceptCase(prep, token, await applicantIdOf(prep, token), (await plainItem(prep, token)).id);
  prep.app.close();
  await new Promise((r) => setTimeout(r, 50)); // let undici see control sockets the simulator closed meanwhile
  return { dataDir, caseNo };
}

async function rpc(host: RunningHost, method: string, input: unknown, session?: string): Promise<{ ok: boolean; value?: { token?: string }; error?: { code: string } }> {
  const res = await fetch(`${host.origin}/api/rpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
    body: JSON.stringify({ id: method, method, input, ...(session ? { session } : {}) }),
  });
  return (await res.json()) as { ok: boolean; value?: { token?: string }; error?: { code: string } };
}

function logEvents(dataDir: string, event: string): Record<string, unknown>[] {
  return fs
    .readFileSync(path.join(dataDir, 'logs', 'desk.log'), 'utf8')
    .split('\n')
    .filter((l) => l.includes(`"event":"${event}"`))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

// The running-host test preloads libfaketime (Debian's faketime package; .ci/run installs it).
if (!LIBFAKETIME) console.log('SKIPPED — clock-jump in a running host: libfaketime is not installed (apt-get install faketime)');

describe('a clock set back a day', () => {
  it.skipIf(!LIBFAKETIME)('in a running host (libfaketime): a waiting retry is not stalled beyond its back-off, and an idle session still locks', async () => {
    // The back-off of the first attempts: 0.5–1 s, 1–2 s, then 1–2 s (capped).
    const backoff = { backoffBaseMs: 1000, backoffMaxMs: 2000 };
    const { dataDir, caseNo } = await oneQueued(backoff);
    const offsetFile = path.join(tempDir('faketime-'), 'offset');
    fs.writeFileSync(offsetFile, '+0\n');
    await sim.setFaults('plain', { rate5xx: 1 });
    const host = await startHost({
      dataDir,
      env: {
        LD_PRELOAD: LIBFAKETIME!,
        FAKETIME_TIMESTAMP_FILE: offsetFile,
        FAKETIME_NO_CACHE: '1',
        DONT_FAKE_MONOTONIC: '1',
        DESK_IDLE_LOCK_MS: '3000',
      },
    });
    hosts.push(host);
    const session = (await rpc(host, 'auth.signIn', { username: 'zhangmin', password: DEMO_PASSWORD })).value!.token!;
    expect((await rpc(host, 'applicants.list', { limit: 1 }, session)).ok).toBe(true);

    // The target answers 503: the entry waits for its retry, with its back-off.
    await waitFor('a retry waiting after two 503s', () => {
      const e = entry(dataDir);
      return e.state === 'retry_wait' && e.attempts >= 2;
    });

    // The clock goes back a day while it waits.
    fs.writeFileSync(offsetFile, '-1d\n');
    const stepped = await waitFor('the sender noticed the step', () => logEvents(dataDir, 'sync.clockStepped')[0]);
    expect(Number(stepped.stepMs)).toBeLessThan(-DAY + 60_000);
    expect(Number(stepped.stepMs)).toBeGreaterThan(-DAY - 60_000);
    // The wait written before the step was moved back with the clock: due within its back-off of the host's new time.
    const waiting = entry(dataDir);
    if (waiting.state === 'retry_wait') expect(Date.parse(waiting.next_attempt_at!)).toBeLessThan(Date.now() - DAY + 2 * backoff.backoffMaxMs + 5_000);

    // The target recovers: the case goes at its next try (seconds), not a day later.
    await sim.setFaults('plain', {});
    await waitFor('delivered after the clock went back', () => entry(dataDir).state === 'acknowledged', 30_000);
    const done = entry(dataDir);
    // Written by the host's moved clock (yesterday), so the move was real.
    expect(Date.parse(done.acknowledged_at!)).toBeLessThan(Date.now() - DAY + 60_000);
    expect((await sim.cases('plain')).filter((c) => c.externalRef === caseNo)).toHaveLength(1);

    // Idle since its last active call before the step: the session locks after its 3 s, measured
    // on the monotonic clock (the wall clock says it was last active "tomorrow"). Passive polling
    // does not keep it awake.
    const locked = await waitFor(
      'the idle session locked',
      async () => {
        const r = await rpc(host, 'sync.status', {}, session);
        return r.ok ? null : r.error!.code;
      },
      30_000,
      250,
    );
    expect(locked).toBe('SESSION_LOCKED');
    expect((await rpc(host, 'auth.unlock', { password: DEMO_PASSWORD }, session)).ok).toBe(true);
    expect((await rpc(host, 'applicants.list', { limit: 1 }, session)).ok).toBe(true);
  });

  it('does not lengthen a lockout, while running or across a restart (injected clocks)', async () => {
    const start = Date.parse('2026-11-22T09:00:00+08:00');
    let wall = start;
    let mono = 0;
    const clocks = { now: () => new Date(wall), monotonic: () => mono };
    const dataDir = tempDir('desk-lockout-');
    const code = (p: Promise<unknown>) =>
      p.then(
        () => 'OK',
        (e: CallFailed) => e.error.code,
      );

    const desk = await testDesk({ dataDir, sync: false, ...clocks });
    for (let i = 0; i < 5; i++) await code(desk.signIn('zhangmin', 'Wrong1234'));
    expect(await code(desk.signIn('zhangmin'))).toBe('ACCOUNT_LOCKED');
    // Back a day, and 15 minutes of real time pass: unlocked (the wall clock would say 24 h 15 min to go).
    wall -= DAY;
    mono += 14 * 60_000;
    const refused = await desk.raw('auth.signIn', { username: 'zhangmin', password: DEMO_PASSWORD });
    expect(refused).toMatchObject({ ok: false, error: { code: 'ACCOUNT_LOCKED', message: '账号已锁定，请1分钟后再试，或请管理员解锁。' } });
    mono += 60_000 + 1;
    expect(await code(desk.signIn('zhangmin'))).toBe('OK');

    // Locked again, then the desk restarts with the clock a day behind: the stored lock
    // (locked_until a day and 15 minutes ahead of the new clock) lasts at most its 15 minutes.
    for (let i = 0; i < 5; i++) await code(desk.signIn('zhangmin', 'Wrong1234'));
    desk.app.close();
    wall -= DAY;
    mono = 1_000_000; // a new process: another origin
    const again = await testDesk({ dataDir, sync: false, ...clocks });
    const refusedAfter = await again.raw('auth.signIn', { username: 'zhangmin', password: DEMO_PASSWORD });
    expect(refusedAfter).toMatchObject({ ok: false, error: { code: 'ACCOUNT_LOCKED', message: '账号已锁定，请15分钟后再试，或请管理员解锁。' } });
    // The supervisor sees when it really ends (15 minutes from now), not the stored time a day ahead.
    const admin = await again.signIn('admin');
    const zm = (await again.call('users.list', {}, admin.token)).find((u) => u.username === 'zhangmin')!;
    expect(zm.lockedUntil).toBe(new Date(wall + 15 * 60_000).toISOString());
    mono += 15 * 60_000 + 1;
    expect(await code(again.signIn('zhangmin'))).toBe('OK');
    again.app.close();
  });

  it('cuts a retry wait written under a clock since set back to its back-off at start (injected clock, then the real one)', async () => {
    const backoff = { backoffBaseMs: 2000, backoffMaxMs: 8000 };
    const { dataDir, caseNo } = await oneQueued(backoff);
    await sim.setFaults('plain', { rate5xx: 1 });
    // A run with the clock a day ahead (then "corrected" back a day before the next start).
    const ahead = await testDesk({ dataDir, now: () => new Date(Date.now() + DAY) });
    await waitFor('a retry waiting', () => entry(dataDir).state === 'retry_wait');
    await ahead.app.stopSync();
    ahead.app.close();
    const before = entry(dataDir);
    expect(Date.parse(before.next_attempt_at!)).toBeGreaterThan(Date.now() + DAY - 60_000);

    await sim.setFaults('plain', {});
    const t0 = Date.now();
    const desk = await testDesk({ dataDir });
    await waitFor('delivered after the restart', () => entry(dataDir).state === 'acknowledged', 30_000);
    expect((await sim.cases('plain')).filter((c) => c.externalRef === caseNo)).toHaveLength(1);
    const clamped = desk.app.logger.recent().find((l) => l.event === 'sync.waitsClamped');
    expect(clamped).toMatchObject({ entries: 1 });
    // Delivered at its next try: within the back-off cap of its attempt from the start (plus the send).
    expect(Date.parse(entry(dataDir).acknowledged_at!) - t0).toBeLessThan(backoffCapMs(before.attempts, { baseMs: backoff.backoffBaseMs, maxMs: backoff.backoffMaxMs }) + 15_000);
    await desk.app.stopSync();
    desk.app.close();
  });

  it('立即同步 (sync.kick) lets a waiting retry go at once', async () => {
    // A first retry 5–10 minutes away.
    const { dataDir, caseNo } = await oneQueued({ backoffBaseMs: 600_000, backoffMaxMs: 600_000 });
    await sim.setFaults('plain', { rate5xx: 1 });
    const desk = await testDesk({ dataDir });
    await waitFor('a retry waiting', () => entry(dataDir).state === 'retry_wait');
    expect(Date.parse(entry(dataDir).next_attempt_at!)).toBeGreaterThan(Date.now() + 4 * 60_000);
    await sim.setFaults('plain', {});
    const token = (await desk.signIn('zhangmin')).token;
    await desk.call('sync.kick', { targetId: 'plain' }, token);
    await waitFor('delivered after 立即同步', () => entry(dataDir).state === 'acknowledged', 60_000);
    expect((await sim.cases('plain')).filter((c) => c.externalRef === caseNo)).toHaveLength(1);
    await desk.app.stopSync();
    desk.app.close();
  });

  it('audit-verify (CLI and 校验审计链) flags the entries written after the clock went back, apart from the chain', async () => {
    let wall = Date.parse('2026-11-22T09:00:00+08:00');
    let mono = 0;
    const dataDir = tempDir('desk-audit-back-');
    const desk = await testDesk({ dataDir, sync: false, now: () => new Date(wall), monotonic: () => mono });
    const s = await desk.signIn('zhangmin');
    wall += 60_000;
    mono += 60_000;
    await desk.call('auth.signOut', {}, s.token);
    const last = (() => {
      const db = openTestStore(desk.app.dbFile, { readonly: true });
      try {
        return db.prepare('SELECT MAX(seq) FROM audit_log').pluck().get() as number;
      } finally {
        db.close();
      }
    })();
    // Back a day: the next entries are earlier than the one before them.
    wall -= DAY;
    mono += 1000;
    const s2 = await desk.signIn('liuyang');
    wall += 1000;
    const admin = await desk.signIn('admin');

    const r = await desk.call('audit.verify', {}, admin.token);
    expect(r.ok).toBe(true);
    expect(r.firstBroken).toBeNull();
    // Only the first entry after the step is earlier than its predecessor (those after it follow on).
    expect(r.backwardTimes).toEqual({
      count: 1,
      entries: [{ seq: last + 1, at: '2026-11-21T01:01:00.000Z', previousAt: '2026-11-22T01:01:00.000Z' }],
    });
    await desk.call('auth.signOut', {}, s2.token);
    desk.app.close();

    const cli = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const p = spawn(process.execPath, [CLI, 'audit-verify', '--data-dir', dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      p.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
      p.once('exit', (code) => resolve({ code, out }));
    });
    expect(cli.code).toBe(3);
    expect(cli.out).toContain('审计链完整');
    expect(cli.out).toContain('注意：有 1 条记录的时间早于前一条（系统时钟可能曾被调回；记录的先后以序号为准）：');
    expect(cli.out).toContain(`第 ${last + 1} 条 2026-11-21 09:01:00，早于前一条的 2026-11-22 09:01:00`);
  });
});
