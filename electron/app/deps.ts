import type { Db } from '../store/open-store';
import type { Logger } from '../log/logger';
import type { SessionStore } from '../services/auth/sessions';
import type { Actor } from '../services/audit/audit-chain';
import type { WriteContext } from '../store/write';

export interface AuthPolicy {
  /** Consecutive wrong passwords before the account locks. */
  maxFailures: number;
  /** How long a locked account stays locked. */
  lockMinutes: number;
  /** Idle time after which a session is locked. */
  idleLockMs: number;
}

export const DEFAULT_AUTH_POLICY: AuthPolicy = { maxFailures: 5, lockMinutes: 15, idleLockMs: 10 * 60_000 };

/** What every feature service gets from the composition root. */
export interface Deps {
  db: Db;
  now: () => Date;
  logger: Logger;
  sessions: SessionStore;
  auth: AuthPolicy;
  /** One audited transaction (see store/write.ts). */
  write<T>(actor: Actor, fn: (w: WriteContext) => T): T;
  /** Runs a job in a worker thread so the main process stays responsive. */
  runInWorker<T>(job: string, args: Record<string, unknown>): Promise<T>;
}
