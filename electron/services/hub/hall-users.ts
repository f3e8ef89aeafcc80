import type { Db } from '../../store/open-store';
import type { WriteContext } from '../../store/write';
import type { Role } from '../../../shared/domain/roles';
import { findUserById, findUserByName, type UserRow } from '../users/user-rows';
import { enqueueHallRecord } from './hall-records';

/**
 * Users and roles are the hall's (docs/hub.md, "Records, owners and offline"). A supervisor's change
 * of a user on any desk (create, disable/enable, password reset) and a user's own password change
 * are queued, in the writing transaction, as a hall record of kind 'user' (record id = username):
 * the whole user with the fields the change set (`changed`) — the scrypt hash only, never a
 * password. Every desk applies each version from the feed into its `users` table, so it signs users
 * in offline with its last copy; a version that disables a user or changes its password ends that
 * user's sessions on the desk. Lockouts are counted across the hall apart from this record (services/auth/hall-lockouts.ts).
 *
 * Local users a desk had before it had a hub stay local until a supervisor first changes them on
 * a desk with a hub; from then the hall's copy of that username governs on every desk (a desk's
 * own user of the same name is replaced by it when it arrives).
 */

export type UserField = 'displayName' | 'role' | 'active' | 'passwordHash';

export interface UserBody {
  username: string;
  displayName: string;
  role: Role;
  active: boolean;
  passwordHash: string;
  changed: UserField[];
}

/** Set by the composition root: ends a user's sessions on this desk (the session store is in memory). */
const sessionEnders = new WeakMap<Db, (userId: number) => void>();

export function configureHallUserSessions(db: Db, endAllFor: (userId: number) => void): void {
  sessionEnders.set(db, endAllFor);
}

/** Queues the user's row as it now is (in the transaction that changed it) for every hub target. */
export function enqueueHallUser(w: WriteContext, userId: number, changed: UserField[]): void {
  const u = findUserById(w.db, userId)!;
  const body: UserBody = { username: u.username, displayName: u.display_name, role: u.role, active: u.active === 1, passwordHash: u.password_hash, changed };
  enqueueHallRecord(w, 'user', u.username, body as unknown as Record<string, unknown>);
}

/**
 * A version from the feed while changes of this desk's own still wait to be pushed: those changes'
 * fields are laid over it, as the hub will (hub/users.ts), so a pending reset or disable is not
 * undone locally in the meantime.
 */
export function withPendingChanges(db: Db, targetId: string, username: string, b: UserBody): UserBody {
  const pending = db
    .prepare(`SELECT body FROM hall_record_outbox WHERE target_id = ? AND kind = 'user' AND record_id = ? AND state <> 'acknowledged' AND state <> 'parked' ORDER BY id`)
    .all(targetId, username) as { body: string }[];
  let out: UserBody = b;
  for (const p of pending) {
    const mine = JSON.parse(p.body) as UserBody;
    out = { ...out, ...Object.fromEntries(mine.changed.map((f) => [f, mine[f]])) };
  }
  return out;
}

/** Applies one version of a hall user on this desk (hall-records-apply.ts); ends its sessions when it was disabled or its password changed. */
export function applyUserBody(w: WriteContext, username: string, b: UserBody): void {
  const had = findUserByName(w.db, username);
  const at = w.at.toISOString();
  let id: number;
  if (!had) {
    id = Number(
      w.db
        .prepare(`INSERT INTO users (username, display_name, role, password_hash, active, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`)
        .run(username, b.displayName, b.role, b.passwordHash, b.active ? 1 : 0, at, at).lastInsertRowid,
    );
  } else {
    id = had.id;
    w.db.prepare('UPDATE users SET display_name = ?, role = ?, password_hash = ?, active = ?, updated_at = ? WHERE id = ?').run(b.displayName, b.role, b.passwordHash, b.active ? 1 : 0, at, id);
  }
  const endSessions = had !== undefined && sessionsMustEnd(had, b);
  w.audit({
    action: 'hub.userReceived',
    entityType: 'user',
    entityId: id,
    detail: { username, created: !had, changed: b.changed, role: b.role, active: b.active, sessionsEnded: endSessions },
  });
  if (endSessions) sessionEnders.get(w.db)?.(id);
}

/** A user disabled, its password changed or its role changed: who is signed in as it must sign in again. */
function sessionsMustEnd(had: UserRow, b: UserBody): boolean {
  return (had.active === 1 && !b.active) || had.password_hash !== b.passwordHash || had.role !== b.role;
}
