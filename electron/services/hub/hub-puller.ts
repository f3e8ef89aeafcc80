import type { Deps } from '../../app/deps';
import { SYSTEM_ACTOR } from '../audit/audit-chain';
import type { FeedItem, HubConnector } from './hub-connector';
import { applyHallFeedItems } from './hall-records-apply';

/**
 * Pulls the hall's change feed from the hub (docs/hub.md): page by page after the stored cursor;
 * each page is applied in one transaction together with the cursor that ends it, so a crash
 * anywhere leaves the desk at the end of a whole page and the next pull resumes there. Applying
 * is idempotent (a record already held is kept as it is), so a page read twice changes nothing.
 */

export interface PullResult {
  pages: number;
  records: number;
  cursor: number;
}

export function feedCursor(deps: Pick<Deps, 'db'>, targetId: string): number {
  return (deps.db.prepare('SELECT after_seq FROM hub_feed_cursor WHERE target_id = ?').get(targetId) as { after_seq: number } | undefined)?.after_seq ?? 0;
}

class CursorMoved extends Error {}

/** Applies one page and moves the cursor, in one audited transaction; false (nothing written) if another pull moved the cursor first. */
export function applyFeedPage(deps: Pick<Deps, 'db' | 'write'>, targetId: string, from: number, page: { items: FeedItem[]; next: number; more?: boolean }): boolean {
  try {
    return applyOrThrow(deps, targetId, from, page);
  } catch (e) {
    if (e instanceof CursorMoved) return false;
    throw e;
  }
}

function applyOrThrow(deps: Pick<Deps, 'db' | 'write'>, targetId: string, from: number, page: { items: FeedItem[]; next: number; more?: boolean }): boolean {
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
    w.audit({ action: 'hub.feedPage', entityType: 'sync_targets', entityId: targetId, detail: { from, to: page.next, items: page.items.length, added } });
    return true;
  });
}

/** Pulls until the feed has no more pages (or `maxPages`). */
export async function pullHubFeed(deps: Pick<Deps, 'db' | 'write'>, hub: HubConnector, opts: { pageSize?: number; maxPages?: number; waitMs?: number; signal?: AbortSignal } = {}): Promise<PullResult> {
  const targetId = hub.target.id;
  const r: PullResult = { pages: 0, records: 0, cursor: feedCursor(deps, targetId) };
  for (let more = true; more && r.pages < (opts.maxPages ?? Infinity); ) {
    const from = feedCursor(deps, targetId);
    // Long-poll (waitMs): the hub answers at once when there is something after the cursor.
    const page = await hub.feedPage(from, opts.pageSize ?? 200, { waitMs: opts.waitMs, signal: opts.signal });
    if (page.next < from || page.items.some((it) => it.seq <= from || it.seq > page.next)) throw new Error(`hub feed page out of order: after ${from} got next ${page.next}`);
    if (!applyFeedPage(deps, targetId, from, page)) break;
    r.pages++;
    r.records += page.items.length;
    r.cursor = page.next;
    more = page.more;
  }
  return r;
}
