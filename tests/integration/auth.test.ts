import { openTestStore } from '../helpers/store';
import { describe, expect, it } from 'vitest';
import { CallFailed, testDesk } from '../helpers/app';
import { DEMO_PASSWORD } from '../../electron/seed/seed-demo';

function clock(start = Date.parse('2026-11-22T09:00:00+08:00')) {
  let t = start;
  return { now: () => new Date(t), advance: (ms: number) => (t += ms) };
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: CallFailed) => e.error.code,
  );

describe('sign-in, lockout and idle lock', () => {
  it('signs in with the right password and stores only an scrypt hash', async () => {
    const desk = await testDesk();
    const s = await desk.signIn('zhangmin');
    expect(s.user).toMatchObject({ username: 'zhangmin', role: 'clerk', displayName: '张敏' });
    const db = openTestStore(desk.app.dbFile, { readonly: true });
    const row = db.prepare(`SELECT password_hash FROM users WHERE username = 'zhangmin'`).get() as { password_hash: string };
    db.close();
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(row.password_hash).not.toContain(DEMO_PASSWORD);
  });

  it('refuses a wrong password and an unknown user with the same answer', async () => {
    const desk = await testDesk();
    const wrong = await desk.raw('auth.signIn', { username: 'zhangmin', password: 'Wrong1234' });
    const unknown = await desk.raw('auth.signIn', { username: 'nobody', password: 'Wrong1234' });
    expect(wrong).toMatchObject({ ok: false, error: { code: 'INVALID_CREDENTIALS' } });
    expect(unknown).toMatchObject({ ok: false, error: { code: 'INVALID_CREDENTIALS', message: '用户名或密码错误。' } });
    expect(wrong.ok === false && wrong.error.message).toContain('再错4次');
  });

  it('locks the account after five wrong passwords, even against the right one, until the time passes or a supervisor unlocks', async () => {
    const c = clock();
    const desk = await testDesk({ now: c.now });
    for (let i = 0; i < 4; i++) expect(await code(desk.signIn('zhangmin', 'Wrong1234'))).toBe('INVALID_CREDENTIALS');
    expect(await code(desk.signIn('zhangmin', 'Wrong1234'))).toBe('ACCOUNT_LOCKED');
    expect(await code(desk.signIn('zhangmin'))).toBe('ACCOUNT_LOCKED');

    const admin = await desk.signIn('admin');
    const users = await desk.call('users.list', {}, admin.token);
    const zm = users.find((u) => u.username === 'zhangmin')!;
    expect(zm.lockedUntil).not.toBeNull();
    await desk.call('users.unlock', { id: zm.id }, admin.token);
    expect(await code(desk.signIn('zhangmin'))).toBe('OK');

    for (let i = 0; i < 5; i++) await code(desk.signIn('zhangmin', 'Wrong1234'));
    expect(await code(desk.signIn('zhangmin'))).toBe('ACCOUNT_LOCKED');
    c.advance(15 * 60_000 + 1);
    expect(await code(desk.signIn('zhangmin'))).toBe('OK');
  });

  // Security probe: 23 parallel guesses used to end with the account unlocked and signed in.
  it('50 parallel wrong guesses with the right password among them lock the account, and the right password is then refused', async () => {
    const desk = await testDesk();
    const guesses = Array.from({ length: 50 }, (_, i) => (i === 10 ? DEMO_PASSWORD : `wrong-${i}`));
    const outcomes = await Promise.all(guesses.map((password) => code(desk.call('auth.signIn', { username: 'zhangmin', password }))));
    // Four wrong answers are counted, the fifth locks; everything after is refused unread — the right password too.
    expect(outcomes.slice(0, 4)).toEqual(['INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS', 'INVALID_CREDENTIALS']);
    expect(outcomes.slice(4)).toEqual(Array.from({ length: 46 }, () => 'ACCOUNT_LOCKED'));
    expect(await code(desk.signIn('zhangmin'))).toBe('ACCOUNT_LOCKED');
    const db = openTestStore(desk.app.dbFile, { readonly: true });
    const row = db.prepare(`SELECT locked_until FROM users WHERE username = 'zhangmin'`).get() as { locked_until: string | null };
    const locks = db.prepare(`SELECT COUNT(*) FROM audit_log WHERE action = 'auth.accountLocked'`).pluck().get();
    const signIns = db.prepare(`SELECT COUNT(*) FROM audit_log WHERE action = 'auth.signIn'`).pluck().get();
    db.close();
    expect(row.locked_until).not.toBeNull();
    expect(locks).toBe(1);
    expect(signIns).toBe(0);
  });

  it('locks an idle session; only the same password unlocks it', async () => {
    const c = clock();
    const desk = await testDesk({ now: c.now, auth: { idleLockMs: 60_000 } });
    const s = await desk.signIn('zhangmin');
    c.advance(30_000);
    expect(await code(desk.call('home.summary', {}, s.token))).toBe('OK');
    c.advance(61_000);
    expect(await code(desk.call('applicants.list', { limit: 5 }, s.token))).toBe('SESSION_LOCKED');
    expect(await code(desk.call('auth.unlock', { password: 'Wrong1234' }, s.token))).toBe('INVALID_CREDENTIALS');
    expect(await code(desk.call('auth.unlock', { password: DEMO_PASSWORD }, s.token))).toBe('OK');
    expect(await code(desk.call('applicants.list', { limit: 5 }, s.token))).toBe('OK');
  });

  it('passive polling does not keep a session awake', async () => {
    const c = clock();
    const desk = await testDesk({ now: c.now, auth: { idleLockMs: 60_000 } });
    const s = await desk.signIn('zhangmin');
    for (let i = 0; i < 4; i++) {
      c.advance(20_000);
      await desk.call('home.summary', {}, s.token).catch(() => undefined);
    }
    expect(await code(desk.call('applicants.list', { limit: 5 }, s.token))).toBe('SESSION_LOCKED');
  });

  it('refuses a disabled account and ends its sessions', async () => {
    const desk = await testDesk();
    const admin = await desk.signIn('admin');
    const cj = await desk.signIn('chenjing');
    const id = (await desk.call('users.list', {}, admin.token)).find((u) => u.username === 'chenjing')!.id;
    await desk.call('users.setActive', { id, active: false }, admin.token);
    expect(await code(desk.call('home.summary', {}, cj.token))).toBe('UNAUTHENTICATED');
    expect(await code(desk.signIn('chenjing'))).toBe('ACCOUNT_DISABLED');
  });

  it('a new password follows the policy: 10+ characters, three kinds, not the user name, not a common one', async () => {
    const desk = await testDesk();
    const admin = (await desk.signIn('admin')).token;
    const create = (username: string, password: string) => desk.raw('users.create', { username, displayName: '新人', role: 'clerk', password }, admin);
    const refusal = async (username: string, password: string) => {
      const r = await create(username, password);
      return r.ok ? 'OK' : r.error.fields?.password;
    };
    expect(await refusal('newone', 'Ab1@xyz')).toBe('密码至少10位');
    expect(await refusal('newone', 'abcdefgh12')).toBe('密码须包含大写字母、小写字母、数字、符号中的至少三种');
    expect(await refusal('wangli', 'Wangli@2026x')).toBe('密码不能包含用户名');
    expect(await refusal('newone', 'Password123!')).toBe('该密码过于常见，容易被猜中，请换一个');
    expect(await refusal('newone', 'Admin@20261')).toBe('该密码过于常见，容易被猜中，请换一个');
    expect(await refusal('newone', 'Fangxian#2026')).toBe('OK');
    // A reset and a change are held to it too, the user name included.
    const id = (await desk.call('users.list', {}, admin)).find((u) => u.username === 'newone')!.id;
    expect((await desk.raw('users.resetPassword', { id, password: 'Newone#2026x' }, admin)).ok).toBe(false);
    const own = (await desk.signIn('newone', 'Fangxian#2026')).token;
    const change = await desk.raw('auth.changePassword', { oldPassword: 'Fangxian#2026', newPassword: 'xNEWONE#2026' }, own);
    expect(change.ok === false && change.error.message).toBe('密码不能包含用户名');
    expect((await desk.raw('auth.changePassword', { oldPassword: 'Fangxian#2026', newPassword: 'Qinglong$river9' }, own)).ok).toBe(true);
  });

  it('a session ends after twelve hours however busy, and its user signs in again', async () => {
    const c = clock();
    const desk = await testDesk({ now: c.now });
    const s = await desk.signIn('zhangmin');
    // Busy all day: a call every five minutes keeps it from idle-locking…
    for (let t = 0; t < 12 * 60; t += 5) {
      c.advance(5 * 60_000);
      expect(await code(desk.call('applicants.list', { limit: 1 }, s.token)), `after ${t + 5} minutes`).toBe(t + 5 <= 12 * 60 ? 'OK' : 'UNAUTHENTICATED');
    }
    // …but not beyond its twelve hours.
    c.advance(60_000);
    expect(await code(desk.call('applicants.list', { limit: 1 }, s.token))).toBe('UNAUTHENTICATED');
    expect(await code(desk.signIn('zhangmin'))).toBe('OK');
  });

  it('a production start has no users until setup creates the first supervisor, once', async () => {
    const desk = await testDesk({ demo: false });
    expect((await desk.call('system.status', {})).needsSetup).toBe(true);
    const input = {
      hall: { code: 'H1', name: '测试大厅', region: '测试县' },
      admin: { username: 'chief', displayName: '主任', password: 'Fangxian#2026' },
    };
    const s = await desk.call('setup.initialize', input);
    expect(s.user.role).toBe('supervisor');
    expect((await desk.call('system.status', {})).needsSetup).toBe(false);
    expect(await code(desk.call('setup.initialize', input))).toBe('CONFLICT');
    expect((await desk.call('home.summary', {}, s.token)).counts.serviceItems).toBe(0);
  });
});
