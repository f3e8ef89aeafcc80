import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { ErrorCode } from '../../../shared/ipc/errors';
import type { HubDeskView, HubLinkView } from '../../../shared/ipc/methods/hub';
import type { UserView } from '../../../shared/ipc/contract';
import { fingerprint, readDeskCard } from '../transfer/desk-keys';
import { ConnectorFailure } from '../sync/http-connector';
import type { SyncTargets } from '../sync/sync-targets';
import type { HubTargetConfig } from '../sync/targets-config';
import { deskSchemaVersion, HubConnector } from './hub-connector';
import { readHubCardText } from './hub-card';
import { heartbeatReport } from './hub-heartbeat';
import type { HubLinkSnapshot } from './hub-link';
import { laterCaughtUp } from './hall-copy-clock';

/**
 * The hub as the desk shows it (docs/hub.md, "Screens"): `hub.status` — each hub's link beside the
 * sync status, with the backlog and 全厅数据更新于 — for everyone; and the supervisor's 全厅中心
 * screen — the hub's desk list, enrolment and removal — as signed admin requests carrying the
 * signed-in supervisor (the dispatcher lets only supervisors call them; the hub answers them only
 * for a supervisor desk). Each enrolment and removal is written to this desk's audit log once the
 * hub has done it (the hub writes its own `hub_audit` entry in the same transaction as the change).
 */

export interface HubServiceContext {
  targets: SyncTargets;
  dataDir: string;
  /** What the sender's connector last saw of a hub target (null when the sender does not run it). */
  hubLink(targetId: string): HubLinkSnapshot | null;
}

const later = (a: string | null, b: string | null) => (a && b ? (a > b ? a : b) : (a ?? b));

export function createHubService(deps: Deps, ctx: HubServiceContext): PartialHandlers {
  const { db } = deps;
  const hubTargets = () => ctx.targets.all().filter((t): t is HubTargetConfig => t.kind === 'hub');

  function linkView(t: HubTargetConfig): HubLinkView {
    const link = ctx.hubLink(t.id);
    const report = heartbeatReport(db, t.id);
    // Known after a restart too: the last page pulled, written with the cursor (a pull every 2 s while connected).
    const pulled = laterCaughtUp(db, t.id, (db.prepare('SELECT updated_at FROM hub_feed_cursor WHERE target_id = ?').get(t.id) as { updated_at: string } | undefined)?.updated_at ?? null);
    return {
      targetId: t.id,
      name: t.name,
      baseUrl: t.baseUrl,
      state: link?.state ?? 'unknown',
      since: link?.since ?? null,
      reason: link?.reason ?? null,
      refusalCode: link?.refusalCode ?? null,
      lastExchangeAt: later(link?.lastExchangeAt ?? null, pulled),
      backlog: report.backlog,
      parked: report.parked,
      oldestWaitingAt: report.oldestWaitingAt,
      feedUpdatedAt: later(link?.lastPullAt ?? null, pulled),
      feedCursor: report.feedCursor,
      feedLast: link?.feedLast ?? null,
      hubFingerprint: t.hub.fingerprint,
    };
  }

  const theHub = () => firstHub(ctx.targets);
  const admin = (path: string, user: UserView, payload: Record<string, unknown>) => hubAdminRequest(deps, ctx, path, user, payload);

  const own = () => readDeskCard(ctx.dataDir);

  return {
    'hub.status': () => {
      const card = own();
      return {
        hubs: hubTargets().map(linkView),
        desk: card ? { deskId: card.deskId, name: card.name, fingerprint: fingerprint(card), card: JSON.stringify(card, null, 2) } : null,
        now: deps.now().toISOString(),
      };
    },

    'hub.desks.list': async (_input, c) => {
      const { target, json } = await admin('/v1/admin/desks/list', c.user!, {});
      const r = json as { desks: Omit<HubDeskView, 'self'>[]; connectedWithinS: number; feedLast: number; now: string };
      const me = own()?.deskId;
      return { hubName: target.name, desks: r.desks.map((d) => ({ ...d, self: d.deskId === me })), connectedWithinS: r.connectedWithinS, feedLast: r.feedLast, now: r.now };
    },

    'hub.desks.inspectCard': ({ card }) => {
      const read = readHubCardText(card);
      if (!read.ok) throw new AppError('BAD_INPUT', read.message, { detail: read.detail }, { card: read.message });
      const t = theHub();
      return { deskId: read.card.deskId, name: read.card.name, zone: read.card.zone, fingerprint: read.fingerprint, hubFingerprint: t.hub.fingerprint, hubName: t.name };
    },

    'hub.desks.enrol': async ({ card, confirmedFingerprint }, c) => {
      const read = readHubCardText(card);
      if (!read.ok) throw new AppError('BAD_INPUT', read.message, { detail: read.detail }, { card: read.message });
      const { target, json } = await admin('/v1/admin/desks/enrol', c.user!, { card: read.card, confirmedFingerprint });
      const r = json as { deskId: string; name: string; fingerprint: string; already: boolean };
      deps.write(c.actor, (w) =>
        w.audit({ action: 'hub.deskEnrolled', entityType: 'hub_desk', entityId: r.deskId, detail: { hub: target.id, name: r.name, fingerprint: r.fingerprint, already: r.already } }),
      );
      return r;
    },

    'hub.desks.remove': async ({ deskId }, c) => {
      const { target, json } = await admin('/v1/admin/desks/remove', c.user!, { deskId });
      const r = json as { deskId: string; name: string };
      deps.write(c.actor, (w) => w.audit({ action: 'hub.deskRemoved', entityType: 'hub_desk', entityId: r.deskId, detail: { hub: target.id, name: r.name } }));
      return { deskId: r.deskId, name: r.name };
    },
  };
}

/** The desk's (first) hub target, or the refusal a screen shows when none is configured. */
export function firstHub(targets: SyncTargets): HubTargetConfig {
  const t = targets.all().find((x): x is HubTargetConfig => x.kind === 'hub');
  if (!t) throw new AppError('INVALID_STATE', '本工作台尚未接入全厅中心，不能管理工作台。', { reason: 'no target of kind hub in sync-targets.json' });
  return t;
}

const CODES: Record<number, ErrorCode> = { 400: 'BAD_INPUT', 401: 'FORBIDDEN', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 422: 'BAD_INPUT', 426: 'UNAVAILABLE' };

/** One signed admin request naming the signed-in supervisor; a refusal comes back as the hub's Chinese message (hub/desk-admin.ts). */
export async function hubAdminRequest(
  deps: Pick<Deps, 'db' | 'now' | 'logger'>,
  ctx: Pick<HubServiceContext, 'targets' | 'dataDir'>,
  path: string,
  user: UserView,
  payload: Record<string, unknown>,
): Promise<{ target: HubTargetConfig; json: unknown }> {
  const target = firstHub(ctx.targets);
  const hub = new HubConnector(target, ctx.dataDir, deskSchemaVersion(deps.db), ctx.targets.sender.requestTimeoutMs, deps.now);
  let r: { status: number; json: unknown };
  try {
    r = await hub.request('POST', path, { ...payload, actor: { username: user.username, displayName: user.displayName, role: user.role } });
  } catch (e) {
    if (e instanceof ConnectorFailure) throw new AppError('UNAVAILABLE', `无法连接全厅中心：${e.message}`, { path });
    throw e;
  }
  if (r.status >= 200 && r.status < 300) return { target, json: r.json };
  const err = (r.json as { error?: { code?: string; message?: string; detail?: string } } | null)?.error;
  deps.logger.warn('hub.adminRefused', { path, status: r.status, code: err?.code ?? null, detail: err?.detail ?? null });
  throw new AppError(CODES[r.status] ?? 'UNAVAILABLE', err?.message ?? `全厅中心答复 HTTP ${r.status}`, { hubCode: err?.code ?? null, status: r.status });
}
