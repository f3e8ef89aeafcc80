import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { SessionInfo } from '../../../shared/ipc/contract';
import { hashPassword, verifyPassword } from './passwords';
import { findUserById, findUserByName, toUserView, type UserRow } from '../users/user-rows';
import type { Session } from './sessions';
import type { WriteContext } from '../../store/write';
import { AttemptGate } from './attempt-gate';
import { refuseUsernameInPassword } from '../users/users-service';
import { enqueueHallUser } from '../hub/hall-users';
import { queueHallLockout, type HallLockouts } from './hall-lockouts';
import { DEMO_PASSWORD } from '../../seed/demo-password';

const ANONYMOUS = (username: string) => ({ userId: null, username: `(未登录:${username.slice(0, 64)})` });

const minutesLeft = (ms: number) => Math.max(1, Math.ceil(ms / 60_000));

export interface AuthServiceOptions {
  /** Lockouts counted across the hall (null: no hub). */
  hall?: HallLockouts | null;
  /**
   * A production desk (demo off): a demo user, or anyone signing in with the demo password, must
   * change the password before anything else (docs/SECURITY.md). A demo desk keeps this off.
   */
  production?: boolean;
}

export function createAuthService(deps: Deps, opts: AuthServiceOptions = {}) {
  const hall = opts.hall ?? null;
  const { db, sessions, auth, lockouts } = deps;
  const gate = new AttemptGate();

  function sessionInfo(s: Session): SessionInfo {
    return { token: s.token, user: s.user, idleLockMs: sessions.idleLockMs, ...(s.mustChangePassword ? { mustChangePassword: true } : {}) };
  }

  /**
   * Records a wrong password; locks the account after `maxFailures` in a row — on this desk, and
   * across the hall while the hub answers (hall-lockouts.ts: the failure is queued for the hub in
   * the same transaction and reported before the answer).
   */
  async function recordFailure(user: UserRow, context: string): Promise<never> {
    const result = deps.write(ANONYMOUS(user.username), (w) => {
      const fresh = findUserById(w.db, user.id)!;
      // A lock that has run out starts the count again (its length measured by lockouts.ts, not by the wall clock).
      const expired = fresh.locked_until !== null && lockouts.remainingMs(user.id, fresh.locked_until) === 0;
      const failures = (expired ? 0 : fresh.failed_attempts) + 1;
      const lock = failures >= auth.maxFailures;
      // A lock still running is never cleared by a failure (only by a supervisor or by running out).
      const running = !expired && fresh.locked_until !== null ? fresh.locked_until : null;
      const lockedUntil = lock ? lockouts.begin(user.id) : running;
      w.db
        .prepare('UPDATE users SET failed_attempts = ?, locked_until = ?, updated_at = ? WHERE id = ?')
        .run(lock ? 0 : failures, lockedUntil, w.at.toISOString(), user.id);
      w.audit({ action: lock ? 'auth.accountLocked' : 'auth.signInFailed', entityType: 'user', entityId: user.id, detail: { context, failures } });
      queueHallLockout(w, user.username, 'failure');
      return { lock, remaining: auth.maxFailures - failures };
    });
    const lockedMessage = `密码连续输错${auth.maxFailures}次，账号已锁定${auth.lockMinutes}分钟，可请管理员解锁。`;
    if (result.lock) {
      sessions.endAllFor(user.id);
      void hall
        ?.exchange([user.username])
        .then((states) => states && hall.adopt(user.username, states[user.username]))
        .catch((e: unknown) => deps.logger.error('auth.hallLockoutFailed', { error: e instanceof Error ? e.stack : String(e) }));
      throw new AppError('ACCOUNT_LOCKED', lockedMessage, { userId: user.id });
    }
    const states = hall ? await hall.exchange([user.username]) : null;
    const state = states?.[user.username];
    if (state && hall!.adopt(user.username, state)) {
      throw new AppError('ACCOUNT_LOCKED', lockedMessage, { userId: user.id, hall: true });
    }
    const remaining = state ? Math.min(result.remaining, Math.max(1, auth.maxFailures - state.failures)) : result.remaining;
    throw new AppError('INVALID_CREDENTIALS', `用户名或密码错误，再错${remaining}次账号将被锁定。`, { userId: user.id, context });
  }

  /** Asks the hall for the user's lock (short timeout) before a password is checked; a hall lock becomes this desk's. */
  async function takeHallLock(user: UserRow): Promise<void> {
    if (!hall) return;
    const states = await hall.exchange([user.username]);
    if (states) hall.adopt(user.username, states[user.username]);
  }

  /** A sign-in's success: the count starts again here and at the hall (a hall lock this desk saw end ends there too). */
  function signedIn(w: WriteContext, user: UserRow): void {
    w.db.prepare('UPDATE users SET failed_attempts = 0, locked_until = NULL, updated_at = ? WHERE id = ?').run(w.at.toISOString(), user.id);
    queueHallLockout(w, user.username, 'success', hall?.seenLock(user.username) ?? null);
  }

  function refuseIfUnusable(user: UserRow): void {
    if (!user.active) {
      deps.write(ANONYMOUS(user.username), (w) => w.audit({ action: 'auth.signInRefused', entityType: 'user', entityId: user.id, detail: { reason: 'disabled' } }));
      throw new AppError('ACCOUNT_DISABLED', undefined, { userId: user.id });
    }
    const lockedMs = lockouts.remainingMs(user.id, user.locked_until);
    if (lockedMs > 0) {
      deps.write(ANONYMOUS(user.username), (w) => w.audit({ action: 'auth.signInRefused', entityType: 'user', entityId: user.id, detail: { reason: 'locked' } }));
      throw new AppError('ACCOUNT_LOCKED', `账号已锁定，请${minutesLeft(lockedMs)}分钟后再试，或请管理员解锁。`, { userId: user.id });
    }
  }

  const handlers: PartialHandlers = {
    'auth.signIn': async ({ username, password }) => {
      const user = findUserByName(db, username);
      if (!user) {
        // Same answer as a wrong password: do not reveal which usernames exist.
        deps.write(ANONYMOUS(username), (w) => w.audit({ action: 'auth.signInFailed', detail: { reason: 'unknown_user' } }));
        throw new AppError('INVALID_CREDENTIALS', '用户名或密码错误。', { username, reason: 'unknown_user' });
      }
      return gate.run(user.id, async () => {
        await takeHallLock(user);
        // Read again inside the gate: an attempt just before this one (or the hall) may have locked the account.
        const current = findUserById(db, user.id)!;
        refuseIfUnusable(current);
        if (!(await verifyPassword(password, current.password_hash))) await recordFailure(current, 'signIn');
        const view = toUserView(current);
        // The demo password never serves on a production desk: marked at the seed, or recognised as typed.
        const mustChange = opts.production === true && (current.must_change_password === 1 || password === DEMO_PASSWORD);
        deps.write({ userId: current.id, username: current.username }, (w) => {
          signedIn(w, current);
          if (mustChange) w.db.prepare('UPDATE users SET must_change_password = 1 WHERE id = ?').run(current.id);
          w.audit({ action: 'auth.signIn', entityType: 'user', entityId: current.id, ...(mustChange ? { detail: { mustChangePassword: true } } : {}) });
        });
        return sessionInfo(sessions.create(view, mustChange));
      });
    },

    'auth.signOut': (_input, ctx) => {
      const s = ctx.session!;
      deps.write(ctx.actor, (w) => w.audit({ action: 'auth.signOut', entityType: 'user', entityId: s.user.id }));
      sessions.end(s.token);
      return { ok: true as const };
    },

    'auth.lock': (_input, ctx) => {
      sessions.lock(ctx.session!);
      return { ok: true as const };
    },

    'auth.unlock': async ({ password }, ctx) => {
      const s = ctx.session!;
      return gate.run(s.user.id, async () => {
        const before = findUserById(db, s.user.id);
        if (!before) throw new AppError('UNAUTHENTICATED');
        await takeHallLock(before);
        const user = findUserById(db, s.user.id);
        if (!user) throw new AppError('UNAUTHENTICATED');
        try {
          refuseIfUnusable(user);
        } catch (e) {
          sessions.end(s.token);
          throw e;
        }
        if (!(await verifyPassword(password, user.password_hash))) await recordFailure(user, 'unlock');
        deps.write(ctx.actor, (w) => {
          signedIn(w, user);
          w.audit({ action: 'auth.unlock', entityType: 'user', entityId: user.id });
        });
        sessions.unlock(s);
        return sessionInfo(s);
      });
    },

    'auth.changePassword': async ({ oldPassword, newPassword }, ctx) => {
      return gate.run(ctx.session!.user.id, async () => {
        const user = findUserById(db, ctx.session!.user.id)!;
        refuseIfUnusable(user);
        if (!(await verifyPassword(oldPassword, user.password_hash))) await recordFailure(user, 'changePassword');
        refuseUsernameInPassword(newPassword, user.username);
        if (newPassword === oldPassword || newPassword === DEMO_PASSWORD) throw new AppError('BAD_INPUT', '新密码不能与原密码或演示密码相同。', { field: 'newPassword' });
        const hash = await hashPassword(newPassword);
        deps.write(ctx.actor, (w) => {
          w.db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?').run(hash, w.at.toISOString(), user.id);
          w.audit({ action: 'auth.passwordChanged', entityType: 'user', entityId: user.id, ...(user.must_change_password === 1 ? { detail: { demoPasswordReplaced: true } } : {}) });
          enqueueHallUser(w, user.id, ['passwordHash']);
        });
        sessions.passwordChanged(user.id);
        return { ok: true as const };
      });
    },
  };
  return handlers;
}
