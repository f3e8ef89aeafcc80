/**
 * The hall hub (全厅中心) as the desk shows it (docs/hub.md, "Screens"): every desk's link to the
 * hub beside its sync status (`hub.status`), and the supervisor's screen that lists, enrols and
 * removes desks through signed admin requests (`hub.desks.*`, supervisors only; the hub answers
 * them only for a supervisor desk).
 */
import { z } from 'zod';
import { method } from '../method';

const Iso = z.string();

export const HUB_LINK_STATES = ['connected', 'unreachable', 'refused', 'unknown'] as const;
export type HubLinkState = (typeof HUB_LINK_STATES)[number];

/** One configured hub as this desk sees it. */
export const HubLinkView = z.object({
  targetId: z.string(),
  name: z.string(),
  baseUrl: z.string(),
  /** connected: the last request was answered; unreachable: no (signed) answer; refused: the hub answered no (401/403/426); unknown: not tried yet. */
  state: z.enum(HUB_LINK_STATES),
  /** Since when the state holds (unreachable since …, refused since …), as this desk saw it. */
  since: Iso.nullable(),
  /** The hub's refusal in Chinese, or why it is unreachable. */
  reason: z.string().nullable(),
  /** The hub's refusal code (NOT_ENROLLED, REMOVED, CLOCK, PROTOCOL …) when refused. */
  refusalCode: z.string().nullable(),
  /** The last request the hub answered (signed, verified). */
  lastExchangeAt: Iso.nullable(),
  /** Outbox entries for the hub not yet acknowledged (parked counted apart). */
  backlog: z.number().int(),
  parked: z.number().int(),
  oldestWaitingAt: Iso.nullable(),
  /** 全厅数据更新于: the last successful pull of the hall's change feed. */
  feedUpdatedAt: Iso.nullable(),
  feedCursor: z.number().int(),
  /** The feed's last number as the hub told it in the latest heartbeat, or null. */
  feedLast: z.number().int().nullable(),
  hubFingerprint: z.string(),
});
export type HubLinkView = z.infer<typeof HubLinkView>;

/** This desk's own identity, to be enrolled (its card carries public keys only). */
export const OwnDeskCard = z.object({ deskId: z.string(), name: z.string(), fingerprint: z.string(), card: z.string() });

export const HubDeskView = z.object({
  deskId: z.string(),
  name: z.string(),
  fingerprint: z.string(),
  supervisorDesk: z.boolean(),
  enrolledAt: Iso,
  enrolledBy: z.string(),
  removedAt: Iso.nullable(),
  removedBy: z.string().nullable(),
  /** Seen by the hub within `connectedWithinS` seconds (and not removed). */
  connected: z.boolean(),
  lastSeenAt: Iso.nullable(),
  reportedAt: Iso.nullable(),
  backlog: z.number().int().nullable(),
  parked: z.number().int().nullable(),
  oldestWaitingAt: Iso.nullable(),
  feedCursor: z.number().int().nullable(),
  feedLag: z.number().int().nullable(),
  /** This desk itself. */
  self: z.boolean(),
});
export type HubDeskView = z.infer<typeof HubDeskView>;

const CardText = z.string().trim().min(1, '请选择或粘贴工作台身份卡').max(20_000, '身份卡内容过长');

export const CardPreview = z.object({
  deskId: z.string(),
  name: z.string(),
  zone: z.enum(['intranet', 'extranet']),
  /** The card's fingerprint as computed here: to compare with the one the new desk shows. */
  fingerprint: z.string(),
  /** The hub's fingerprint: the new desk pins the hub key with it when it is set up. */
  hubFingerprint: z.string(),
  hubName: z.string(),
});
export type CardPreview = z.infer<typeof CardPreview>;

export const hubMethods = {
  /** Every configured hub's link, backlog and 全厅数据更新于; and this desk's own card. Background polling. */
  'hub.status': method({
    access: 'session',
    passive: true,
    input: z.object({}).strict(),
    output: z.object({ hubs: z.array(HubLinkView), desk: OwnDeskCard.nullable(), now: Iso }),
  }),
  /** 全厅中心: every desk the hub knows. */
  'hub.desks.list': method({
    access: ['supervisor'],
    passive: true,
    input: z.object({}).strict(),
    output: z.object({ hubName: z.string(), desks: z.array(HubDeskView), connectedWithinS: z.number().int(), feedLast: z.number().int(), now: Iso }),
  }),
  /** Reads a desk card (file text or pasted JSON) and shows both fingerprints; writes nothing. */
  'hub.desks.inspectCard': method({ access: ['supervisor'], input: z.object({ card: CardText }).strict(), output: CardPreview }),
  /** Enrols the desk of the card; `confirmedFingerprint` is the card's fingerprint the supervisor compared with the desk's screen. */
  'hub.desks.enrol': method({
    access: ['supervisor'],
    input: z.object({ card: CardText, confirmedFingerprint: z.string().trim().max(64) }).strict(),
    output: z.object({ deskId: z.string(), name: z.string(), fingerprint: z.string(), already: z.boolean() }),
  }),
  /** Removes a desk: the hub refuses every request it signs from then on. */
  'hub.desks.remove': method({
    access: ['supervisor'],
    input: z.object({ deskId: z.string().trim().min(1).max(64) }).strict(),
    output: z.object({ deskId: z.string(), name: z.string() }),
  }),
} as const;
