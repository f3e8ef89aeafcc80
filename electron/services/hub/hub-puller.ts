import type { Deps } from '../../app/deps';
import { SYSTEM_ACTOR } from '../audit/audit-chain';
import type { FeedPage, HubConnector } from './hub-connector';
import { applyHallFeedItems } from './hall-records-apply';
import { EMPTY_PULL_RECORD_MS, noteCaughtUp } from './hall-copy-clock';

/**
 * Pulls the hall's change feed from the hub (docs/hub.md): page by page after the stored cursor;
 * each page is applied in one transaction together with the cursor that ends it, so a crash
 * anywhere leaves the desk at the end of a whole page and the next pull resumes there. Applying
 * is idempotent (a record already held is kept as it is), so a page read twice changes nothing.
 *
 * The hub names the row at the end of each page (`nextToken`); the desk keeps that token with its
 * cursor and checks it against the hub's row at the cursor on the next pull (`anchor`). They differ
 * only when the hub's feed is no longer the one the desk read — its database was restored from an
 * older backup (or the cursor is past the feed's end): then records at the numbers after the
 * restore point are other records, and reading on after the cursor would miss them. The desk then
 * resets: forgets the records it pulled and its cursor, in one transaction, and pulls the hub's
 * feed again from the start (docs/hub.md "After a restore").
 */

export interface PullResult {
  pages: number;
  records: number;
  cursor: number;
  /** The hub's feed was not the one read (restored hub): the desk forgot its copy and pulled again from 0. */
  reset?: true;
}

const anchorKey = (targetId: string) => `hub.feedAnchor.${targetId}`;

/** The token of the hub's row at the desk's cursor, as the hub named it when the desk read it. */
export function feedAnchor(deps: Pick<Deps, 'db'>, targetId: string): { seq: number; token: string } | null {
  const r = deps.db.prepare('SELECT value FROM sync_meta WHERE key = ?').get(anchorKey(targetId)) as { value: string } | undefined;
  return r ? (JSON.parse(r.value) as { seq: number; token: string }) : null;
}

export function feedCursor(deps: Pick<Deps, 'db'>, targetId: string): number {
  return (deps.db.prepare('SELECT after_seq FROM hub_feed_cursor WHERE target_id = ?').get(targetId) as { after_seq: number } | undefined)?.after_seq ?? 0;
}

class CursorMoved extends Error {}

/** Applies one page and moves the cursor, in one audited transaction; false (nothing written) if another pull moved the cursor first. */
export function applyFeedPage(deps: Pick<Deps, 'db' | 'write'> & { now?: () => Date }, targetId: string, from: number, page: Pick<FeedPage, 'items' | 'next' | 'nextToken'> & { more?: boolean }): boolean {
  try {
    return applyOrThrow(deps, targetId, from, page);
  } catch (e) {
    if (e instanceof CursorMoved) return false;
    throw e;
  }
}

function applyOrThrow(deps: Pick<Deps, 'db' | 'write'> & { now?: () => Date }, targetId: string, from: number, page: Pick<FeedPage, 'items' | 'next' | 'nextToken'> & { more?: boolean }): boolean {
  if (quietPull(deps, targetId, from, page)) return true;
  return deps.write(SYSTEM_ACTOR, (w) => {
    if (feedCursor(w, targetId) !== from) throw new CursorMoved();
    const ins = w.db.prepare(
      `INSERT INTO hub_feed_records (target_id, seq, kind, owner_desk, record_key, body, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    );
    let added = 0;
    for (const it of page.items) added += ins.run(targetId, it.seq, it.kind, it.ownerDesk, it.key, JSON.stringify(it.body), w.at.toISOString()).changes;
    // Hall records (credit, applicants) take effect on this desk in the same transaction (hall-records-apply.ts).
    applyHallFeedItems(w, targetId, page);
    w.db
      .prepare(`INSERT INTO hub_feed_cursor (target_id, after_seq, updated_at) VALUES (?, ?, ?) ON CONFLICT (target_id) DO UPDATE SET after_seq = excluded.after_seq, updated_at = excluded.updated_at`)
      .run(targetId, page.next, w.at.toISOString());
    if (page.nextToken) {
      w.db.prepare('INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(anchorKey(targetId), JSON.stringify({ seq: page.next, token: page.nextToken }));
    } else w.db.prepare('DELETE FROM sync_meta WHERE key = ?').run(anchorKey(targetId));
    w.audit({ action: 'hub.feedPage', entityType: 'sync_targets', entityId: targetId, detail: { from, to: page.next, items: page.items.length, added } });
    return true;
  });
}

/**
 * A pull that brought nothing new (no item, the cursor and its token unchanged, the feed read to its
 * end) while the stored time of the copy is recent: nothing is written or audited — no record changed —
 * and the time is only noted in memory (hall-copy-clock.ts); at most every EMPTY_PULL_RECORD_MS it
 * is written, so the stored age stays close after a restart.
 */
function quietPull(deps: Pick<Deps, 'db'> & { now?: () => Date }, targetId: string, from: number, page: Pick<FeedPage, 'items' | 'next' | 'nextToken'> & { more?: boolean }): boolean {
  if (page.items.length > 0 || page.next !== from || page.more !== false) return false;
  const stored = deps.db.prepare('SELECT updated_at FROM hub_feed_cursor WHERE target_id = ?').get(targetId) as { updated_at: string } | undefined;
  if (!stored) return false;
  const token = feedAnchor(deps, targetId);
  if ((page.nextToken ?? null) !== (token?.seq === page.next ? token.token : null)) return false;
  const now = (deps.now?.() ?? new Date()).toISOString();
  if (Date.parse(now) - Date.parse(stored.updated_at) >= EMPTY_PULL_RECORD_MS) return false;
  noteCaughtUp(deps.db, targetId, now);
  return true;
}

/**
 * Forgets the feed copy of a target whose hub no longer has the feed it read, in one audited
 * transaction (unless another pull moved the cursor first); the next page is read from 0.
 */
export function resetFeed(deps: Pick<Deps, 'db' | 'write'>, targetId: string, from: number, hubAnchor: string | null): boolean {
  try {
    return deps.write(SYSTEM_ACTOR, (w) => {
      if (feedCursor(w, targetId) !== from) throw new CursorMoved();
      const forgotten = w.db.prepare('DELETE FROM hub_feed_records WHERE target_id = ?').run(targetId).changes;
      w.db.prepare('DELETE FROM hub_feed_cursor WHERE target_id = ?').run(targetId);
      w.db.prepare('DELETE FROM sync_meta WHERE key = ?').run(anchorKey(targetId));
      w.audit({
        action: 'hub.feedReset',
        entityType: 'sync_targets',
        entityId: targetId,
        detail: { from, forgotten, reason: hubAnchor === null ? 'the hub has no feed row at the cursor' : 'the hub feed row at the cursor is another one' },
      });
      return true;
    });
  } catch (e) {
    if (e instanceof CursorMoved) return false;
    throw e;
  }
}

/** Has the hub's feed up to `from` changed since the desk read it? (Only decidable when the desk kept the token at `from`.) */
function diverged(deps: Pick<Deps, 'db'>, targetId: string, from: number, page: FeedPage): boolean {
  if (from === 0 || page.anchor === undefined) return false;
  const mine = feedAnchor(deps, targetId);
  return mine !== null && mine.seq === from && mine.token !== page.anchor;
}

/** Pulls until the feed has no more pages (or `maxPages`). */
export async function pullHubFeed(deps: Pick<Deps, 'db' | 'write'>, hub: HubConnector, opts: { pageSize?: number; maxPages?: number; waitMs?: number; signal?: AbortSignal } = {}): Promise<PullResult> {
  const targetId = hub.target.id;
  const r: PullResult = { pages: 0, records: 0, cursor: feedCursor(deps, targetId) };
  for (let more = true; more && r.pages < (opts.maxPages ?? Infinity); ) {
    const from = feedCursor(deps, targetId);
    // Long-poll (waitMs): the hub answers at once when there is something after the cursor.
    const page = await hub.feedPage(from, opts.pageSize ?? 200, { waitMs: opts.waitMs, signal: opts.signal });
    if (diverged(deps, targetId, from, page)) {
      if (r.reset || !resetFeed(deps, targetId, from, page.anchor ?? null)) break; // once per pull; or another pull got there first
      r.reset = true;
      r.cursor = 0;
      continue;
    }
    if (page.next < from || page.items.some((it) => it.seq <= from || it.seq > page.next)) throw new Error(`hub feed page out of order: after ${from} got next ${page.next}`);
    if (!applyFeedPage(deps, targetId, from, page)) break;
    r.pages++;
    r.records += page.items.length;
    r.cursor = page.next;
    more = page.more;
  }
  return r;
}
