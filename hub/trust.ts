import { generateKeyPairSync, createPrivateKey, randomUUID } from 'node:crypto';
import type pg from 'pg';
import { fingerprint, type DeskCard } from '../electron/services/transfer/desk-keys';
import type { HubCard } from '../electron/services/hub/hub-protocol';

/** The hub's identity and the enrolled desks (docs/hub.md: enrolment and trust). */

export interface HubIdentity {
  card: HubCard;
  signKey: ReturnType<typeof createPrivateKey>;
}

/** The hub's key pair, created once (the first hub process to start wins; the others read it). */
export async function hubIdentity(pool: pg.Pool): Promise<HubIdentity> {
  const pair = generateKeyPairSync('ed25519');
  const der = (b: Buffer) => b.toString('base64');
  await pool.query(
    `INSERT INTO hub_identity (id, hub_id, sign_alg, sign_pub, sign_priv) VALUES (1, $1, 'ed25519', $2, $3) ON CONFLICT (id) DO NOTHING`,
    [randomUUID(), der(pair.publicKey.export({ type: 'spki', format: 'der' })), der(pair.privateKey.export({ type: 'pkcs8', format: 'der' }))],
  );
  const r = (await pool.query<{ hub_id: string; sign_pub: string; sign_priv: string }>('SELECT hub_id, sign_pub, sign_priv FROM hub_identity WHERE id = 1')).rows[0]!;
  return {
    card: { format: 'pfd-hub-card/1', hubId: r.hub_id, signAlg: 'ed25519', signPub: r.sign_pub },
    signKey: createPrivateKey({ key: Buffer.from(r.sign_priv, 'base64'), format: 'der', type: 'pkcs8' }),
  };
}

export interface DeskRow {
  desk_id: string;
  successor_of: string | null;
  name: string;
  sign_alg: DeskCard['signAlg'];
  sign_pub: string;
  fingerprint: string;
  removed_at: Date | null;
  /** May send admin requests (hub/desk-admin.ts); set at enrolment by the command line only. */
  supervisor_desk?: boolean;
}

/** Extra steps of an enrolment or removal: `inTx` runs first inside its transaction (an admin request's nonce). */
export interface TrustOptions {
  inTx?: (c: pg.PoolClient) => Promise<void>;
  /** Enrolment only: the desk may send admin requests (command line `--supervisor-desk`). */
  supervisorDesk?: boolean;
  /** Enrolment only: the new desk succeeds this (dead) desk, which is removed in the same transaction. */
  successorOf?: string;
}

/**
 * Enrols a desk by its card (the supervisor compared the fingerprint with the one the desk
 * shows). Enrolling the same card again is a no-op; another key under an enrolled desk id is
 * refused (a desk's key changes only by removing it and enrolling the successor under a new id).
 */
export async function enrolDesk(pool: pg.Pool, card: DeskCard, actor: string, opts: TrustOptions = {}): Promise<{ fingerprint: string; already: boolean }> {
  if (card.format !== 'pfd-desk-card/1' || !card.deskId || !card.signPub) throw new Error('不是工作台的身份卡（desk card）');
  const fp = fingerprint(card);
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await opts.inTx?.(c);
    const existing = (await c.query<DeskRow>('SELECT * FROM desks WHERE desk_id = $1 FOR UPDATE', [card.deskId])).rows[0];
    if (existing) {
      await c.query('ROLLBACK');
      if (opts.successorOf && existing.successor_of !== opts.successorOf) throw new Error(`工作台 ${card.deskId} 已登记，不能再登记为 ${opts.successorOf} 的接替工作台（desk already enrolled）`);
      if (existing.sign_pub !== card.signPub) throw new Error(`工作台 ${card.deskId} 已用另一把密钥登记，不能覆盖（desk ${card.deskId} enrolled with another key）`);
      if (existing.removed_at) throw new Error(`工作台 ${card.deskId} 已被移除，不能再次登记（desk removed at ${existing.removed_at.toISOString()}）`);
      return { fingerprint: fp, already: true };
    }
    if (opts.successorOf) await retireForSuccessor(c, opts.successorOf, card.deskId, actor);
    await c.query('INSERT INTO desks (desk_id, name, sign_alg, sign_pub, fingerprint, enrolled_by, successor_of, supervisor_desk) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)', [
      card.deskId, card.name, card.signAlg, card.signPub, fp, actor, opts.successorOf ?? null, opts.supervisorDesk === true,
    ]);
    await c.query(`INSERT INTO hub_audit (actor, action, detail) VALUES ($1, 'desk.enrolled', $2)`, [
      actor,
      { deskId: card.deskId, name: card.name, fingerprint: fp, supervisorDesk: opts.supervisorDesk === true, ...(opts.successorOf ? { successorOf: opts.successorOf } : {}) },
    ]);
    await c.query('COMMIT');
    return { fingerprint: fp, already: false };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

/**
 * In the successor's enrolment transaction: the dead desk is removed (if it was not already) and
 * may have one successor only. Its cases and files stay; the successor reads them (hub/successor.ts).
 */
async function retireForSuccessor(c: pg.PoolClient, deadDeskId: string, successorId: string, actor: string): Promise<void> {
  if (deadDeskId === successorId) throw new Error('工作台不能接替自己（a desk cannot succeed itself）');
  const dead = (await c.query<DeskRow>('SELECT * FROM desks WHERE desk_id = $1 FOR UPDATE', [deadDeskId])).rows[0];
  if (!dead) throw new Error(`没有工作台 ${deadDeskId}，不能为它登记接替工作台（no desk ${deadDeskId}）`);
  const taken = (await c.query<{ desk_id: string }>('SELECT desk_id FROM desks WHERE successor_of = $1', [deadDeskId])).rows[0];
  if (taken) throw new Error(`工作台 ${deadDeskId} 已由 ${taken.desk_id} 接替（desk ${deadDeskId} already has a successor）`);
  if (!dead.removed_at) {
    await c.query('UPDATE desks SET removed_at = now(), removed_by = $2 WHERE desk_id = $1', [deadDeskId, actor]);
    await c.query(`INSERT INTO hub_audit (actor, action, detail) VALUES ($1, 'desk.removed', $2)`, [actor, { deskId: deadDeskId, successor: successorId }]);
  }
}

/** Removes a desk: every request it signs from now on is refused. */
export async function removeDesk(pool: pg.Pool, deskId: string, actor: string, opts: Pick<TrustOptions, 'inTx'> = {}): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await opts.inTx?.(c);
    const r = await c.query('UPDATE desks SET removed_at = now(), removed_by = $2 WHERE desk_id = $1 AND removed_at IS NULL', [deskId, actor]);
    if (r.rowCount !== 1) throw new Error(`没有在用的工作台 ${deskId}（no enrolled desk ${deskId}）`);
    await c.query(`INSERT INTO hub_audit (actor, action, detail) VALUES ($1, 'desk.removed', $2)`, [actor, { deskId }]);
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}
