import { passwordProblem } from '../../../shared/rules/password';
import { queueHallLockout } from '../auth/hall-lockouts';
import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import { hashPassword } from '../auth/passwords';
import { enqueueHallUser } from '../hub/hall-users';
import { findUserById, findUserByName, insertUser, toUserView, type UserRow } from './user-rows';

export function createUsersService(deps: Deps): PartialHandlers {
  const { db, sessions } = deps;

  function mustFind(id: number): UserRow {
    const u = findUserById(db, id);
    if (!u) throw new AppError('NOT_FOUND', '该用户不存在。', { userId: id });
    return u;
  }

  return {
    'users.list': () =>
      (db.prepare('SELECT * FROM users ORDER BY id').all() as UserRow[]).map((u) => ({
        ...toUserView(u),
        active: u.active === 1,
        lockedUntil: deps.lockouts.endsAt(u.id, u.locked_until),
        failedAttempts: u.failed_attempts,
      })),

    'users.create': async (input, ctx) => {
      if (findUserByName(db, input.username)) throw new AppError('CONFLICT', `用户名“${input.username}”已被使用。`, {}, { username: '用户名已被使用' });
      const passwordHash = await hashPassword(input.password);
      return deps.write(ctx.actor, (w) => {
        const id = insertUser(w.db, { ...input, passwordHash }, w.at);
        w.audit({ action: 'user.create', entityType: 'user', entityId: id, detail: { username: input.username, role: input.role } });
        enqueueHallUser(w, id, ['displayName', 'role', 'active', 'passwordHash']);
        return toUserView(findUserById(w.db, id)!);
      });
    },

    'users.unlock': ({ id }, ctx) => {
      const target = mustFind(id);
      deps.write(ctx.actor, (w) => {
        w.db.prepare('UPDATE users SET failed_attempts = 0, locked_until = NULL, updated_at = ? WHERE id = ?').run(w.at.toISOString(), id);
        w.audit({ action: 'user.unlock', entityType: 'user', entityId: id });
        queueHallLockout(w, target.username, 'unlock');
      });
      return { ok: true as const };
    },

    'users.resetPassword': async ({ id, password }, ctx) => {
      const target = mustFind(id);
      refuseUsernameInPassword(password, target.username);
      const hash = await hashPassword(password);
      deps.write(ctx.actor, (w) => {
        w.db.prepare('UPDATE users SET password_hash = ?, failed_attempts = 0, locked_until = NULL, updated_at = ? WHERE id = ?').run(hash, w.at.toISOString(), id);
        w.audit({ action: 'user.resetPassword', entityType: 'user', entityId: id });
        enqueueHallUser(w, id, ['passwordHash']);
        queueHallLockout(w, target.username, 'unlock');
      });
      sessions.endAllFor(id);
      return { ok: true as const };
    },

    'users.setActive': ({ id, active }, ctx) => {
      const user = mustFind(id);
      if (!active && id === ctx.user!.id) throw new AppError('CONFLICT', '不能停用当前登录的账号。');
      if (!active && user.role === 'supervisor') {
        const others = db.prepare(`SELECT COUNT(*) AS n FROM users WHERE role = 'supervisor' AND active = 1 AND id <> ?`).get(id) as { n: number };
        if (others.n === 0) throw new AppError('CONFLICT', '至少需要保留一个启用的管理员账号。');
      }
      deps.write(ctx.actor, (w) => {
        w.db.prepare('UPDATE users SET active = ?, updated_at = ? WHERE id = ?').run(active ? 1 : 0, w.at.toISOString(), id);
        w.audit({ action: active ? 'user.enable' : 'user.disable', entityType: 'user', entityId: id });
        enqueueHallUser(w, id, ['active']);
      });
      if (!active) sessions.endAllFor(id);
      return { ok: true as const };
    },
  };
}

/** The part of the password policy the input schema cannot see: the user name (shared/rules/password.ts). */
export function refuseUsernameInPassword(password: string, username: string): void {
  const problem = passwordProblem(password, username);
  if (problem) throw new AppError('BAD_INPUT', problem, { rule: 'password' }, { password: problem });
}
