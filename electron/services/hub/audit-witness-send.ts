import fs from 'node:fs';
import type { Deps } from '../../app/deps';
import { entryHash } from '../audit/audit-chain';
import { auditKeyPub, checkpointFile, checkpointLines } from '../audit/checkpoints';
import { currentEpoch } from '../../store/epoch';
import { ConnectorFailure } from '../sync/http-connector';
import type { HubConnector } from './hub-connector';

/**
 * The desk's side of the hub's audit witness (docs/audit-checkpoints.md, "Witnessed by the hub";
 * the hub's side is hub/audit-witness.ts). Run from the sender's hub loop while the hub is reachable:
 *
 * 1. asks the hub what it holds of this desk (`/v1/audit/state`: epoch, last entry, checkpoints);
 * 2. once per run and every RECHECK_EVERY_MS, re-checks what the hub holds: its own entries 1…(the
 *    hub's last) as they are now — the stored hash and the hash of the content — so the hub finds an
 *    entry edited, deleted, renumbered or cut since it witnessed it and names the first;
 * 3. sends the checkpoint lines and the entries the hub lacks, in order, in batches (the hub takes
 *    only what continues its chain), until the hub holds everything.
 * Resumable by sequence number with no cursor of its own: the hub's state says where to go on, so a
 * desk offline for days, or a hub restored from a backup, catches up exactly. Not through the feed:
 * these are this desk's, not hall records. A refusal because the chain disagrees (409
 * AUDIT_DIVERGED) is logged and tried again only after DIVERGED_PAUSE_MS; nothing is ever re-sent
 * to overwrite what the hub witnessed.
 */

export const SEND_BATCH = 500;
export const RECHECK_BATCH = 2000;
/** Batches sent in one pass at most (the next pass goes on). */
const BATCHES_PER_PASS = 40;
const RECHECK_EVERY_MS = 6 * 60 * 60 * 1000;
const DIVERGED_PAUSE_MS = 5 * 60 * 1000;

interface HubState {
  pub: string | null;
  epoch: string | null;
  lastSeq: number;
  lastHash: string;
  checkpoints: number;
}

export interface AuditRow {
  seq: number;
  at: string;
  actor_id: number | null;
  actor_username: string;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

const ROW_COLUMNS = 'seq, at, actor_id, actor_username, action, entity_type, entity_id, detail, prev_hash, hash';

export interface WitnessPass {
  sent: number;
  lines: number;
  rechecked: number;
  diverged: string | null;
}

class Diverged extends Error {}

/** A batch's entries cut to SEND_BYTES of JSON (at least one): the hub takes at most 8 MB a request. */
const SEND_BYTES = 4 * 1024 * 1024;
function withinBytes(rows: AuditRow[]): AuditRow[] {
  let bytes = 0;
  const out: AuditRow[] = [];
  for (const r of rows) {
    bytes += Buffer.byteLength(JSON.stringify(r));
    if (out.length && bytes > SEND_BYTES) break;
    out.push(r);
  }
  return out;
}

export class AuditWitnessSender {
  private busy = false;
  private lastPassMono = -Infinity;
  private lastRecheckMono: number | null = null;
  private pausedUntilMono = -Infinity;
  /** What the hub held after the last pass (head seq, checkpoint lines): nothing new locally ⇒ no request. */
  private caughtUp: { seq: number; fileSize: number; epoch: string } | null = null;

  constructor(
    private readonly deps: Pick<Deps, 'db' | 'logger' | 'monotonic'>,
    private readonly dataDir: string,
  ) {}

  /** From the sender's tick: a pass when due and none is under way. */
  tick(hub: HubConnector, track: (p: Promise<unknown>) => void): void {
    const now = this.deps.monotonic();
    if (this.busy || now < this.pausedUntilMono || now - this.lastPassMono < hub.target.pullMs) return;
    this.lastPassMono = now;
    this.busy = true;
    track(
      this.pass(hub)
        .then((r) => {
          if (r.sent || r.lines || r.rechecked) this.deps.logger.info('hub.auditWitnessed', { target: hub.target.id, ...r });
        })
        .catch((e: unknown) => {
          if (e instanceof Diverged) {
            this.pausedUntilMono = this.deps.monotonic() + DIVERGED_PAUSE_MS;
            this.deps.logger.error('hub.auditDiverged', { target: hub.target.id, finding: e.message });
          } else this.deps.logger.warn('hub.auditWitnessFailed', { target: hub.target.id, error: String((e as Error)?.message ?? e) });
        })
        .finally(() => {
          this.busy = false;
        }),
    );
  }

  /** One pass: state, re-check when due, then batches until the hub holds everything (or BATCHES_PER_PASS). */
  async pass(hub: HubConnector): Promise<WitnessPass> {
    const out: WitnessPass = { sent: 0, lines: 0, rechecked: 0, diverged: null };
    const pub = auditKeyPub(this.dataDir);
    if (!pub) return out; // no checkpoint signed yet (the first is signed at start)
    const epoch = currentEpoch(this.deps.db).epoch;
    const recheckDue = this.lastRecheckMono === null || this.deps.monotonic() - this.lastRecheckMono >= RECHECK_EVERY_MS;
    const head = this.head();
    const fileSize = this.checkpointFileSize();
    if (!recheckDue && this.caughtUp && this.caughtUp.epoch === epoch && this.caughtUp.seq === (head?.seq ?? 0) && this.caughtUp.fileSize === fileSize) return out;
    const lines = checkpointLines(this.dataDir).filter((l) => l.pub === pub);

    let st = await this.state(hub);
    if (recheckDue && st.epoch === epoch && st.lastSeq > 0) {
      out.rechecked = await this.recheck(hub, epoch, st.lastSeq);
    }
    if (recheckDue) this.lastRecheckMono = this.deps.monotonic();
    for (let i = 0; i < BATCHES_PER_PASS; i++) {
      const after = st.epoch === epoch ? st.lastSeq : 0;
      const newLines = lines.slice(st.checkpoints, st.checkpoints + SEND_BATCH);
      // A new store epoch (a restore): the checkpoint lines first — among them the signed restore line the hub follows it on.
      const linesFirst = st.epoch !== null && st.epoch !== epoch && newLines.length > 0;
      const entries = linesFirst ? [] : withinBytes(this.deps.db.prepare(`SELECT ${ROW_COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`).all(after, SEND_BATCH) as AuditRow[]);
      if (!entries.length && !newLines.length) break;
      const r = await hub.request('POST', '/v1/audit/send', {
        auditPub: pub,
        epoch,
        checkpoints: newLines.map((l) => ({ kind: l.kind, epoch: l.epoch, ...(l.fromEpoch ? { fromEpoch: l.fromEpoch } : {}), seq: l.seq, hash: l.hash, at: l.at, signedAt: l.signedAt, sig: l.sig })),
        entries,
      });
      this.refusedIfDiverged(r);
      if (r.status !== 200) hub.fail(r);
      out.sent += entries.length;
      out.lines += newLines.length;
      st = await this.state(hub);
    }
    this.caughtUp = st.epoch === epoch && st.checkpoints === lines.length ? { seq: st.lastSeq, fileSize, epoch } : null;
    return out;
  }

  private checkpointFileSize(): number {
    try {
      return fs.statSync(checkpointFile(this.dataDir)).size;
    } catch {
      return -1;
    }
  }

  private head(): { seq: number; hash: string } | null {
    return (this.deps.db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string } | undefined) ?? null;
  }

  private async state(hub: HubConnector): Promise<HubState> {
    const r = await hub.request('POST', '/v1/audit/state', {});
    if (r.status !== 200) hub.fail(r);
    const s = r.json as HubState | null;
    if (!s || !Number.isSafeInteger(s.lastSeq) || !Number.isSafeInteger(s.checkpoints)) throw new ConnectorFailure({ kind: 'retry', status: r.status, retryAfterMs: null, message: `“${hub.target.name}”的审计见证应答不完整` });
    return s;
  }

  /** The desk's entries 1…min(own head, hub's last) as they are now, for the hub to compare. */
  private async recheck(hub: HubConnector, epoch: string, hubLast: number): Promise<number> {
    const head = this.head();
    const rows = this.deps.db.prepare(`SELECT ${ROW_COLUMNS} FROM audit_log WHERE seq > ? AND seq <= ? ORDER BY seq LIMIT ?`);
    let from = 1;
    let compared = 0;
    for (;;) {
      const batch = rows.all(from - 1, hubLast, RECHECK_BATCH) as AuditRow[];
      const pairs = batch.map((row) => {
        const { hash, ...rest } = row;
        return [row.seq, hash, entryHash(rest)] as const;
      });
      const last = batch.length < RECHECK_BATCH || batch.at(-1)!.seq >= hubLast;
      const r = await hub.request('POST', '/v1/audit/recheck', { epoch, from, pairs, head, last });
      this.refusedIfDiverged(r);
      if (r.status !== 200) hub.fail(r);
      compared += pairs.length;
      if (last) return compared;
      from = batch.at(-1)!.seq + 1;
    }
  }

  private refusedIfDiverged(r: { status: number; json: unknown }): void {
    const e = (r.json as { error?: { code?: string; message?: string } } | null)?.error;
    if (r.status === 409 && e?.code === 'AUDIT_DIVERGED') throw new Diverged(e.message ?? 'audit chain diverged');
  }
}
