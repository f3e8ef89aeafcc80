/**
 * Users and roles as a hall record (docs/hub.md, "Records, owners and offline"): kind 'user',
 * record id = the username. A version carries the whole user (displayName, role, active, the scrypt
 * password hash — never a password) and names the fields its change set (`changed`).
 *
 * Owner: the hall; concurrent edits are settled by **last writer in hub order, field by field**: a
 * version pushed on a stale base takes the hub's current version and sets only the fields it
 * changed. So a disable at one desk and a password reset at another, made at the same time, both
 * hold — a stale copy never re-enables a user or brings an old password back — and no conflict is
 * left waiting while a disabled account could still sign in.
 */

export const USER_FIELDS = ['displayName', 'role', 'active', 'passwordHash'] as const;
const ROLES = ['clerk', 'assistant', 'supervisor'];

const isText = (v: unknown) => typeof v === 'string' && v.length > 0;

/** Why a user version cannot be applied by every desk (null: it can). */
export function userBodyProblem(recordId: string, b: Record<string, unknown>): string | null {
  if (b.username !== recordId) return `user record ${recordId} carries another username`;
  if (!isText(b.displayName) || !ROLES.includes(b.role as string) || typeof b.active !== 'boolean') return 'user needs username, displayName, role and active';
  if (typeof b.passwordHash !== 'string' || !b.passwordHash.startsWith('scrypt$')) return 'user needs a scrypt passwordHash';
  const changed = b.changed;
  if (!Array.isArray(changed) || changed.length === 0 || changed.some((f) => !(USER_FIELDS as readonly unknown[]).includes(f))) return `user needs changed: a non-empty list of ${USER_FIELDS.join(', ')}`;
  return null;
}

/** A version pushed on a stale base: the current version with only the fields this change set. */
export function userOnCurrent(current: Record<string, unknown>, pushed: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...current, changed: pushed.changed };
  for (const f of pushed.changed as string[]) out[f] = pushed[f];
  return out;
}
