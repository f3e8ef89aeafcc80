import type { Db } from '../store/open-store';
import type { Logger } from '../log/logger';
import type { SessionStore } from '../services/auth/sessions';
import type { Actor } from '../services/audit/audit-chain';
import type { WriteContext } from '../store/write';
import type { Monotonic } from './clock';
import type { Lockouts } from '../services/auth/lockout';

export interface AuthPolicy {
  /** Consecutive wrong passwords before the account locks. */
  maxFailures: number;
  /** How long a locked account stays locked. */
  lockMinutes: number;
  /** Idle time after which a session is locked. */
  idleLockMs: number;
  /** A session's whole life, however busy: then it ends and its user signs in again (a working day). */
  sessionMaxMs: number;
}

export const DEFAULT_AUTH_POLICY: AuthPolicy = { maxFailures: 5, lockMinutes: 15, idleLockMs: 10 * 60_000, sessionMaxMs: 12 * 60 * 60_000 };

/** What every feature service gets from the composition root. */
export interface Deps {
  db: Db;
  /** The wall clock: for what a person reads (app/clock.ts). */
  now: () => Date;
  /** The monotonic clock: for every duration (app/clock.ts). */
  monotonic: Monotonic;
  logger: Logger;
  sessions: SessionStore;
  auth: AuthPolicy;
  /** Account lockouts, timed on the monotonic clock (services/auth/lockout.ts). */
  lockouts: Lockouts;
  /** One audited transaction (see store/write.ts). */
  write<T>(actor: Actor, fn: (w: WriteContext) => T): T;
  /** Runs a job in a worker thread so the main process stays responsive. */
  runInWorker<T>(job: string, args: Record<string, unknown>): Promise<T>;
}
