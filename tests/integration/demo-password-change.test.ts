import { describe, expect, it } from 'vitest';
import { testDesk, type TestDesk } from '../helpers/app';
import { DEMO_PASSWORD } from '../../electron/seed/seed-demo';
import { openTestStore } from '../helpers/store';

/**
 * Demo users must change their password on first production use (issue 15, docs/SECURITY.md): a
 * store seeded with the demo users, opened by a production desk (demo off, the `--no-demo` path),
 * lets a demo user do nothing but change the password; a demo desk keeps this off.
 */

const NEW_PASSWORD = 'Fangxian#Window7';

function mustChangeFlags(d: TestDesk): Record<string, number> {
  const db = openTestStore(d.app.dbFile, { readonly: true });
  try {
    const rows = db.prepare('SELECT username, must_change_password AS m FROM users ORDER BY username').all() as { username: string; m: number }[];
    return Object.fromEntries(rows.map((r) => [r.username, r.m]));
  } finally {
    db.close();
  }
}

/** A store seeded in demo mode, then opened as a production desk (as `--no-demo` does). */
async function demoStoreInProduction(): Promise<TestDesk> {
  const demo = await testDesk();
  await demo.app.stopSync();
  demo.app.close();
  return testDesk({ dataDir: demo.dataDir, demo: false });
}

describe('demo users on a production desk', () => {
  it('the demo seed marks its users; a demo desk lets them work (the demo keeps the check off)', async () => {
    const demo = await testDesk();
    expect(mustChangeFlags(demo)).toEqual({ admin: 1, chenjing: 1, liuyang: 1, zhangmin: 1 });
    const s = await demo.signIn('zhangmin');
    expect(s.mustChangePassword).toBeUndefined();
    expect((await demo.call('home.summary', {}, s.token)).user.username).toBe('zhangmin');
    demo.app.close();
  });

  it('signing in as a demo user leads to the password change: every other method is refused in Chinese until it is made', async () => {
    const desk = await demoStoreInProduction();
    const s = await desk.signIn('zhangmin');
    expect(s.mustChangePassword).toBe(true);

    for (const [method, input] of [
      ['home.summary', {}],
      ['applicants.list', { query: '王芳', limit: 5 }],
      ['catalog.listServiceItems', {}],
    ] as const) {
      const r = await desk.raw(method, input, s.token);
      expect(r).toEqual({ id: expect.any(String), ok: false, error: { code: 'PASSWORD_CHANGE_REQUIRED', message: '请先修改密码：本账号仍在使用演示密码，正式环境中修改密码后才能办理业务。' } });
    }
    // The idle lock and its unlock keep the session; they show nothing.
    expect((await desk.call('auth.lock', {}, s.token)).ok).toBe(true);
    expect((await desk.call('auth.unlock', { password: DEMO_PASSWORD }, s.token)).mustChangePassword).toBe(true);

    // The policy applies; the demo password cannot be kept.
    const weak = await desk.raw('auth.changePassword', { oldPassword: DEMO_PASSWORD, newPassword: 'password1' }, s.token);
    expect(weak.ok === false && weak.error.code).toBe('BAD_INPUT');
    const wrongOld = await desk.raw('auth.changePassword', { oldPassword: 'Not-the-old-1', newPassword: NEW_PASSWORD }, s.token);
    expect(wrongOld.ok === false && wrongOld.error.code).toBe('INVALID_CREDENTIALS');
    expect(mustChangeFlags(desk).zhangmin).toBe(1);

    expect(await desk.call('auth.changePassword', { oldPassword: DEMO_PASSWORD, newPassword: NEW_PASSWORD }, s.token)).toEqual({ ok: true });
    // The same session may now work; the mark is gone from the store; the new password signs in without it.
    expect((await desk.call('home.summary', {}, s.token)).user.username).toBe('zhangmin');
    expect(mustChangeFlags(desk)).toEqual({ admin: 1, chenjing: 1, liuyang: 1, zhangmin: 0 });
    const again = await desk.signIn('zhangmin', NEW_PASSWORD);
    expect(again.mustChangePassword).toBeUndefined();
    expect((await desk.call('home.summary', {}, again.token)).user.username).toBe('zhangmin');
    // Other demo users are still held, supervisors included.
    const admin = await desk.signIn('admin');
    expect(admin.mustChangePassword).toBe(true);
    const r = await desk.raw('users.list', {}, admin.token);
    expect(r.ok === false && r.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    desk.app.close();
  });

  it('a supervisor resetting a demo user\u2019s password clears the mark; whoever signs in with the demo password on a production desk must change it', async () => {
    const desk = await demoStoreInProduction();
    const admin = await desk.signIn('admin');
    await desk.call('auth.changePassword', { oldPassword: DEMO_PASSWORD, newPassword: NEW_PASSWORD }, admin.token);
    const liuyang = (await desk.call('users.list', {}, admin.token)).find((u) => u.username === 'liuyang')!;
    await desk.call('users.resetPassword', { id: liuyang.id, password: 'Temporary#Pass42' }, admin.token);
    expect(mustChangeFlags(desk).liuyang).toBe(0);
    expect((await desk.signIn('liuyang', 'Temporary#Pass42')).mustChangePassword).toBeUndefined();

    // An unmarked user whose password is the demo one (set before this build, e.g. by an old seed) is caught as typed.
    const db = openTestStore(desk.app.dbFile);
    db.prepare(`UPDATE users SET must_change_password = 0 WHERE username = 'chenjing'`).run();
    db.close();
    const s = await desk.signIn('chenjing');
    expect(s.mustChangePassword).toBe(true);
    expect(mustChangeFlags(desk).chenjing).toBe(1);
    desk.app.close();
  });
});
