import type { Db } from '../../store/open-store';
import type { Role } from '../../../shared/domain/roles';
import type { UserView } from '../../../shared/ipc/contract';

export interface UserRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  active: 0 | 1;
  failed_attempts: number;
  locked_until: string | null;
  /** 1: a demo user who must change the password before anything else on a production desk. */
  must_change_password: 0 | 1;
  created_at: string;
  updated_at: string;
}

export function findUserByName(db: Db, username: string): UserRow | undefined {
  return db.prepare('SELECT * FROM users WHERE username = ?').get(username) as UserRow | undefined;
}

export function findUserById(db: Db, id: number): UserRow | undefined {
  return db.prepare('SELECT * FROM users WHERE id = ?').get(id) as UserRow | undefined;
}

export function toUserView(row: UserRow): UserView {
  return { id: row.id, username: row.username, displayName: row.display_name, role: row.role };
}

export function insertUser(
  db: Db,
  u: { username: string; displayName: string; role: Role; passwordHash: string },
  at: Date,
): number {
  const iso = at.toISOString();
  return Number(
    db
      .prepare(
        `INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?)`,
      )
      .run(u.username, u.displayName, u.role, u.passwordHash, iso, iso).lastInsertRowid,
  );
}
