import { describe, expect, it, vi } from 'vitest';
import { testDesk } from '../helpers/app';
import { createDispatcher } from '../../electron/app/dispatcher';
import { createLogger } from '../../electron/log/logger';
import { SessionStore } from '../../electron/services/auth/sessions';
import { contract } from '../../shared/ipc/contract';
import type { Handlers } from '../../electron/app/handlers';
import { mergeHandlers } from '../../electron/app/handlers';

/** A dispatcher whose every handler is a spy, to prove refused calls never reach one. */
function spyDispatcher() {
  const spies = Object.fromEntries(Object.keys(contract).map((m) => [m, vi.fn(() => ({ ok: true }))]));
  const logger = createLogger();
  const sessions = new SessionStore(60_000, () => performance.now());
  const d = createDispatcher({ handlers: spies as unknown as Handlers, sessions, logger });
  const supervisor = sessions.create({ id: 1, username: 'admin', displayName: '管理员', role: 'supervisor' });
  const clerk = sessions.create({ id: 2, username: 'clerk', displayName: '窗口', role: 'clerk' });
  return { d, spies, logger, supervisor, clerk };
}

describe('IPC boundary', () => {
  it('refuses and logs an unknown method without running anything', async () => {
    const { d, spies, logger, supervisor } = spyDispatcher();
    for (const method of ['users.drop', '__proto__', 'constructor', 'toString']) {
      const r = await d.dispatch({ id: '1', method, input: {}, session: supervisor.token });
      expect(r).toMatchObject({ ok: false, error: { code: 'UNKNOWN_METHOD' } });
    }
    expect(Object.values(spies).every((s) => s.mock.calls.length === 0)).toBe(true);
    expect(logger.recent().filter((e) => e.event === 'ipc.refused' && e.code === 'UNKNOWN_METHOD')).toHaveLength(4);
  });

  it('refuses and logs an input that does not validate, with a Chinese message per field', async () => {
    const { d, spies, logger, clerk } = spyDispatcher();
    const r = await d.dispatch({
      id: '2',
      method: 'applicants.create',
      input: { name: '李四', idType: 'resident_id', idNumber: '110105194912310021', phone: '123' },
      session: clerk.token,
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('BAD_INPUT');
    expect(r.error.fields?.idNumber).toBe('身份证号码校验位不正确，请核对是否录入有误');
    expect(r.error.fields?.phone).toBe('手机号码应为11位数字'); // '123': one message per mistake (shared/rules/phone.ts)
    expect(r.error.message).toMatch(/^填写的内容不符合要求：/);
    expect(spies['applicants.create']).not.toHaveBeenCalled();
    expect(logger.recent().some((e) => e.event === 'ipc.refused' && e.code === 'BAD_INPUT' && e.method === 'applicants.create')).toBe(true);
  });

  it('refuses extra fields and wrong types', async () => {
    const { d, spies } = spyDispatcher();
    const extra = await d.dispatch({ id: '3', method: 'auth.signIn', input: { username: 'a', password: 'b', isAdmin: true } });
    const wrongType = await d.dispatch({ id: '4', method: 'auth.signIn', input: { username: 42, password: 'b' } });
    expect(extra).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(wrongType).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(spies['auth.signIn']).not.toHaveBeenCalled();
  });

  it('refuses a malformed envelope', async () => {
    const { d } = spyDispatcher();
    for (const bad of [null, 'x', { method: 'system.status' }, { id: '', method: 'system.status', input: {} }]) {
      expect(await d.dispatch(bad)).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    }
  });

  it('refuses calls without a session, and roles that may not call a method', async () => {
    const { d, spies, clerk } = spyDispatcher();
    expect(await d.dispatch({ id: '5', method: 'home.summary', input: {} })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await d.dispatch({ id: '6', method: 'home.summary', input: {}, session: 'forged' })).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } });
    expect(await d.dispatch({ id: '7', method: 'users.list', input: {}, session: clerk.token })).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(spies['home.summary']).not.toHaveBeenCalled();
    expect(spies['users.list']).not.toHaveBeenCalled();
  });

  it('never lets a handler return something outside the contract', async () => {
    const { d, supervisor, logger } = spyDispatcher();
    // The spy returns {ok:true}, which is not a users.list output.
    const r = await d.dispatch({ id: '8', method: 'users.list', input: {}, session: supervisor.token });
    expect(r).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(logger.recent().some((e) => e.event === 'ipc.badOutput')).toBe(true);
  });

  it('refuses to start when a method has no handler or two', () => {
    expect(() => mergeHandlers({ 'system.status': () => ({}) as never })).toThrow(/without a handler/);
    const all = Object.fromEntries(Object.keys(contract).map((m) => [m, () => ({})]));
    expect(() => mergeHandlers(all, { 'system.status': () => ({}) as never })).toThrow(/registered twice/);
  });

  it('answers a real call end to end and hides internal errors behind a log id', async () => {
    const desk = await testDesk();
    const s = await desk.signIn('zhangmin');
    const home = await desk.call('home.summary', {}, s.token);
    expect(home.user.username).toBe('zhangmin');
    expect(home.counts.certificateItems).toBeGreaterThan(20);
    desk.app.close(); // the store is gone: the next call fails inside the handler
    const r = await desk.raw('home.summary', {}, s.token);
    expect(r.ok === false && r.error.code).toBe('INTERNAL');
    expect(r.ok === false && r.error.message).toMatch(/日志编号 [0-9a-f]{8}/);
  });
});
