import type pg from 'pg';
import { readHubCard } from '../electron/services/hub/hub-card';
import type { DeskRow } from './trust';
import { enrolDesk, removeDesk } from './trust';

/**
 * The hub's side of the screens (docs/hub.md, "Screens and admin requests"): what it records of
 * each desk (its last accepted request, and what the desk reports in its heartbeat: outbox backlog
 * and feed cursor), the supervisor's listing of every desk, and enrolment and removal requested
 * from a supervisor desk.
 *
 * Admin requests are ordinary signed desk requests (the same checks and the same nonce rule) whose
 * body names the signed-in supervisor. They are answered only for desks enrolled as supervisor
 * desks by the command line (`enrol-desk --supervisor-desk`): the hub cannot check a desk's users,
 * so it trusts a supervisor desk — and only such a desk — to have checked that the user is a
 * supervisor (the desk's dispatcher does). Every admin action is written to `hub_audit` under
 * "<user> @ <desk>" in the transaction that spends the request's nonce.
 */

/** A desk seen within this many seconds counts as connected (desks pull the feed every 2 s and send a heartbeat every 10 s). */
export const CONNECTED_WITHIN_S = 30;
const HALL = 'hall';

export interface Authed {
  desk: DeskRow;
  nonce: string;
  deskSchema: number;
  body: Buffer;
}

export interface DeskAdminContext {
  pool: pg.Pool;
  /** Records the request's nonce in the caller's transaction (a replay is refused there). */
  spendNonce(c: pg.PoolClient | pg.Pool, a: Authed): Promise<void>;
  /** The server's refusal (answered signed, with its status, code and Chinese message). */
  refuse(status: number, code: string, chinese: string, detail: string): Error;
}

export type Answer = { status: number; json: unknown };

/** The routes of this module, or null when the path is not one of them. */
export async function deskAdminRoute(ctx: DeskAdminContext, method: string, pathname: string, a: Authed): Promise<Answer | null> {
  if (method !== 'POST') return null;
  switch (pathname) {
    case '/v1/heartbeat':
      return heartbeat(ctx, a);
    case '/v1/admin/desks/list':
      return listDesks(ctx, a);
    case '/v1/admin/desks/enrol':
      return enrolFromDesk(ctx, a);
    case '/v1/admin/desks/remove':
      return removeFromDesk(ctx, a);
    default:
      return null;
  }
}

export function body(ctx: DeskAdminContext, a: Authed): Record<string, unknown> {
  try {
    const v = JSON.parse(a.body.toString('utf8')) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // refused below
  }
  throw ctx.refuse(400, 'BAD_JSON', '请求内容不是有效的 JSON。', 'body is not a JSON object');
}

const count = (v: unknown) => (Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : null);

/** POST /v1/heartbeat {backlog, parked, oldestWaitingAt, feedCursor}: what the desk says about itself. */
async function heartbeat(ctx: DeskAdminContext, a: Authed): Promise<Answer> {
  const b = body(ctx, a);
  const backlog = count(b.backlog);
  const parked = count(b.parked);
  const cursor = count(b.feedCursor);
  const oldest = typeof b.oldestWaitingAt === 'string' && Number.isFinite(Date.parse(b.oldestWaitingAt)) ? b.oldestWaitingAt : null;
  if (backlog === null || parked === null || cursor === null || (b.oldestWaitingAt != null && oldest === null)) {
    throw ctx.refuse(422, 'BAD_HEARTBEAT', '工作台状态报告格式不符。', 'heartbeat needs backlog, parked and feedCursor as integers >= 0 and oldestWaitingAt as a time or null');
  }
  const c = await ctx.pool.connect();
  try {
    await c.query('BEGIN');
    await ctx.spendNonce(c, a);
    await c.query(
      `INSERT INTO desk_status (desk_id, last_seen_at, reported_at, backlog, parked, oldest_waiting_at, feed_cursor, desk_schema) VALUES ($1, now(), now(), $2, $3, $4, $5, $6)
       ON CONFLICT (desk_id) DO UPDATE SET last_seen_at = now(), reported_at = now(), backlog = $2, parked = $3, oldest_waiting_at = $4, feed_cursor = $5, desk_schema = $6`,
      [a.desk.desk_id, backlog, parked, oldest, cursor, a.deskSchema],
    );
    const last = Number((await c.query<{ last_seq: string }>('SELECT last_seq FROM feed_counter WHERE hall_id = $1', [HALL])).rows[0]!.last_seq);
    await c.query('COMMIT');
    return { status: 200, json: { feedLast: last, now: new Date().toISOString() } };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

/**
 * Remembers that a desk was seen (its last accepted request). Written at most once a second per
 * desk and hub process, outside the request's own transaction, so pushes do not queue on it.
 */
export class LastSeen {
  private readonly written = new Map<string, number>();
  constructor(
    private readonly pool: pg.Pool,
    private readonly log: (event: string, detail: Record<string, unknown>) => void,
  ) {}

  seen(deskId: string): void {
    const now = Date.now();
    if (now - (this.written.get(deskId) ?? 0) < 1000) return;
    this.written.set(deskId, now);
    this.pool
      .query(
        `INSERT INTO desk_status (desk_id, last_seen_at) VALUES ($1, now())
         ON CONFLICT (desk_id) DO UPDATE SET last_seen_at = GREATEST(desk_status.last_seen_at, excluded.last_seen_at)`,
        [deskId],
      )
      .catch((e: unknown) => this.log('hub.lastSeenFailed', { desk: deskId, error: String((e as Error)?.message ?? e) }));
  }
}

interface AdminActor {
  username: string;
  displayName: string;
}

/** The supervisor desk and its signed-in supervisor, or a refusal (nothing written). */
export function admin(ctx: DeskAdminContext, a: Authed, b: Record<string, unknown>): AdminActor & { label: string } {
  if (!a.desk.supervisor_desk) {
    throw ctx.refuse(403, 'NOT_SUPERVISOR_DESK', '本工作台不是全厅中心的管理工作台，不能查看或登记、移除工作台（管理工作台只能在全厅中心服务器上用命令行登记）。', `desk ${a.desk.desk_id} is not a supervisor desk`);
  }
  const u = b.actor as { username?: unknown; displayName?: unknown; role?: unknown } | undefined;
  const ok = (s: unknown) => typeof s === 'string' && s.length > 0 && s.length <= 64;
  if (!u || !ok(u.username) || !ok(u.displayName)) throw ctx.refuse(422, 'NO_ACTOR', '管理请求没有注明操作的管理员。', 'admin request without actor {username, displayName, role}');
  if (u.role !== 'supervisor') throw ctx.refuse(403, 'NOT_SUPERVISOR', '只有管理员可以查看或登记、移除工作台。', `actor ${String(u.username)} has role ${String(u.role)}`);
  const actor = { username: u.username as string, displayName: u.displayName as string };
  return { ...actor, label: `${actor.displayName}（${actor.username}）@${a.desk.name}（${a.desk.desk_id}）` };
}

/** The request's nonce, spent in the admin action's own transaction (with its write and its hub_audit entry). */
const spendIn = (ctx: DeskAdminContext, a: Authed) => (c: pg.PoolClient) => ctx.spendNonce(c, a);

export interface DeskListing {
  deskId: string;
  name: string;
  fingerprint: string;
  supervisorDesk: boolean;
  enrolledAt: string;
  enrolledBy: string;
  removedAt: string | null;
  removedBy: string | null;
  connected: boolean;
  lastSeenAt: string | null;
  reportedAt: string | null;
  backlog: number | null;
  parked: number | null;
  oldestWaitingAt: string | null;
  feedCursor: number | null;
  /** Feed items the desk has not pulled yet (by its last report). */
  feedLag: number | null;
}

/** Every desk ever enrolled, with what the hub last saw of it; "connected" is judged on the database's clock. */
export async function deskListing(pool: pg.Pool): Promise<{ desks: DeskListing[]; feedLast: number; connectedWithinS: number; now: string }> {
  const iso = (d: Date | null) => (d ? d.toISOString() : null);
  const num = (v: string | number | null) => (v === null ? null : Number(v));
  const r = await pool.query<{
    desk_id: string; name: string; fingerprint: string; supervisor_desk: boolean; enrolled_at: Date; enrolled_by: string; removed_at: Date | null; removed_by: string | null;
    connected: boolean; last_seen_at: Date | null; reported_at: Date | null; backlog: number | null; parked: number | null; oldest_waiting_at: Date | null; feed_cursor: string | null;
  }>(
    `SELECT d.desk_id, d.name, d.fingerprint, d.supervisor_desk, d.enrolled_at, d.enrolled_by, d.removed_at, d.removed_by,
            (d.removed_at IS NULL AND s.last_seen_at > now() - $1 * interval '1 second') IS TRUE AS connected,
            s.last_seen_at, s.reported_at, s.backlog, s.parked, s.oldest_waiting_at, s.feed_cursor
       FROM desks d LEFT JOIN desk_status s ON s.desk_id = d.desk_id
      ORDER BY d.enrolled_at, d.desk_id`,
    [CONNECTED_WITHIN_S],
  );
  const meta = (await pool.query<{ last_seq: string; now: Date }>('SELECT last_seq, now() AS now FROM feed_counter WHERE hall_id = $1', [HALL])).rows[0]!;
  const feedLast = Number(meta.last_seq);
  return {
    feedLast,
    connectedWithinS: CONNECTED_WITHIN_S,
    now: meta.now.toISOString(),
    desks: r.rows.map((d) => ({
      deskId: d.desk_id,
      name: d.name,
      fingerprint: d.fingerprint,
      supervisorDesk: d.supervisor_desk,
      enrolledAt: d.enrolled_at.toISOString(),
      enrolledBy: d.enrolled_by,
      removedAt: iso(d.removed_at),
      removedBy: d.removed_by,
      connected: d.connected,
      lastSeenAt: iso(d.last_seen_at),
      reportedAt: iso(d.reported_at),
      backlog: d.backlog,
      parked: d.parked,
      oldestWaitingAt: iso(d.oldest_waiting_at),
      feedCursor: num(d.feed_cursor),
      feedLag: d.feed_cursor === null ? null : Math.max(0, feedLast - Number(d.feed_cursor)),
    })),
  };
}

async function listDesks(ctx: DeskAdminContext, a: Authed): Promise<Answer> {
  admin(ctx, a, body(ctx, a));
  await ctx.spendNonce(ctx.pool, a);
  return { status: 200, json: await deskListing(ctx.pool) };
}

/**
 * POST /v1/admin/desks/enrol {actor, card, confirmedFingerprint}: the supervisor compared the
 * card's fingerprint with the one the new desk shows and sends it; a fingerprint missing or not
 * the card's is refused. A supervisor desk is enrolled only by the command line.
 */
async function enrolFromDesk(ctx: DeskAdminContext, a: Authed): Promise<Answer> {
  const b = body(ctx, a);
  const who = admin(ctx, a, b);
  const read = readHubCard(b.card);
  if (!read.ok) throw ctx.refuse(422, 'BAD_CARD', read.message, read.detail);
  const { card, fingerprint: fp } = read;
  const confirmed = typeof b.confirmedFingerprint === 'string' ? b.confirmedFingerprint.trim().toUpperCase() : '';
  if (!confirmed) throw ctx.refuse(422, 'FINGERPRINT_NOT_CONFIRMED', '请先与该工作台屏幕上显示的指纹逐字核对，确认一致后再登记。', 'enrolment without a confirmed fingerprint');
  if (confirmed !== fp) throw ctx.refuse(422, 'FINGERPRINT_MISMATCH', `指纹不一致：身份卡的指纹是 ${fp}，与核对的指纹 ${confirmed} 不同，已拒绝登记。`, `confirmed fingerprint ${confirmed} is not the card's ${fp}`);
  const had = (await ctx.pool.query<DeskRow>('SELECT * FROM desks WHERE desk_id = $1', [card.deskId])).rows[0];
  if (had && had.sign_pub !== card.signPub) throw ctx.refuse(409, 'KEY_CONFLICT', `工作台 ${card.deskId} 已用另一把密钥登记，不能覆盖；更换电脑请登记新的工作台。`, `desk ${card.deskId} enrolled with another key`);
  if (had?.removed_at) throw ctx.refuse(409, 'CARD_REMOVED', `工作台 ${card.deskId} 已被移除，它的身份卡不能再次登记；请在该电脑上生成新密钥后登记。`, `desk ${card.deskId} removed at ${had.removed_at.toISOString()}`);
  const r = await enrolDesk(ctx.pool, card, who.label, { inTx: spendIn(ctx, a) });
  return { status: r.already ? 200 : 201, json: { deskId: card.deskId, name: card.name, fingerprint: r.fingerprint, already: r.already } };
}

/** POST /v1/admin/desks/remove {actor, deskId}: every request the desk signs from now on is refused. */
async function removeFromDesk(ctx: DeskAdminContext, a: Authed): Promise<Answer> {
  const b = body(ctx, a);
  const who = admin(ctx, a, b);
  const deskId = typeof b.deskId === 'string' ? b.deskId : '';
  if (deskId === a.desk.desk_id) throw ctx.refuse(409, 'SELF_REMOVAL', '不能在本工作台上移除本工作台自己。', `desk ${deskId} asked to remove itself`);
  const had = (await ctx.pool.query<DeskRow>('SELECT * FROM desks WHERE desk_id = $1', [deskId])).rows[0];
  if (!had) throw ctx.refuse(404, 'NO_DESK', `全厅中心没有登记过工作台 ${deskId}。`, `no desk ${deskId}`);
  if (had.removed_at) throw ctx.refuse(409, 'ALREADY_REMOVED', `工作台 ${had.name} 已于 ${had.removed_at.toISOString()} 被移除。`, `desk ${deskId} already removed`);
  try {
    await removeDesk(ctx.pool, deskId, who.label, { inTx: spendIn(ctx, a) });
  } catch (e) {
    // Removed by someone else between the check and the update: nothing was written here.
    if (e instanceof Error && e.message.startsWith('没有在用的工作台')) throw ctx.refuse(409, 'ALREADY_REMOVED', `工作台 ${had.name} 已被移除。`, e.message);
    throw e;
  }
  return { status: 200, json: { deskId, name: had.name, removed: true } };
}
