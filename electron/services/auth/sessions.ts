import { randomBytes } from 'node:crypto';
import type { UserView } from '../../../shared/ipc/contract';
import type { Monotonic } from '../../app/clock';

export interface Session {
  token: string;
  user: UserView;
  /** Monotonic milliseconds (app/clock.ts): durations only, never shown. */
  createdAt: number;
  lastActive: number;
  locked: boolean;
  /** A demo user on a production desk: nothing but the password change until it is made (dispatcher.ts). */
  mustChangePassword: boolean;
}

/**
 * Signed-in sessions live in memory only: a restart of the app signs
 * everyone out (drafts survive in the renderer's IndexedDB). A session left
 * idle longer than `idleLockMs` is locked until its user re-enters the password. Idle time is
 * measured on the monotonic clock: setting the wall clock back does not keep a session open.
 * However busy, a session ends `maxLifetimeMs` after its sign-in (an absolute lifetime, 等保 身份鉴别).
 */
export class SessionStore {
  private readonly byToken = new Map<string, Session>();

  constructor(
    readonly idleLockMs: number,
    private readonly monotonic: Monotonic,
    readonly maxLifetimeMs = 12 * 60 * 60_000,
  ) {}

  create(user: UserView, mustChangePassword = false): Session {
    const t = this.monotonic();
    const s: Session = { token: randomBytes(32).toString('base64url'), user, createdAt: t, lastActive: t, locked: false, mustChangePassword };
    this.byToken.set(s.token, s);
    return s;
  }

  /** Looks a session up and locks it if it has been idle too long. */
  get(token: string | undefined): Session | undefined {
    if (!token) return undefined;
    const s = this.byToken.get(token);
    if (s && this.monotonic() - s.createdAt > this.maxLifetimeMs) {
      this.byToken.delete(token);
      return undefined;
    }
    if (s && !s.locked && this.monotonic() - s.lastActive > this.idleLockMs) s.locked = true;
    return s;
  }

  touch(s: Session): void {
    s.lastActive = this.monotonic();
  }

  lock(s: Session): void {
    s.locked = true;
  }

  unlock(s: Session): void {
    s.locked = false;
    this.touch(s);
  }

  end(token: string): void {
    this.byToken.delete(token);
  }

  /** The user changed the password: their sessions may do everything their role allows again. */
  passwordChanged(userId: number): void {
    for (const s of this.byToken.values()) if (s.user.id === userId) s.mustChangePassword = false;
  }

  /** Ends every session of a user (disabled, password reset). */
  endAllFor(userId: number): void {
    for (const [token, s] of this.byToken) if (s.user.id === userId) this.byToken.delete(token);
  }
}
