import { randomBytes } from 'node:crypto';
import { PlatformUnreachable } from '../data-sharing/connector';
import path from 'node:path';
import type { Deps } from '../../app/deps';
import type { FileStore } from '../files/file-store';
import { backoffMs } from './backoff';
import { ClockCheck } from './clock-check';
import { ConnectorFailure, HttpTargetConnector, type Failure } from './http-connector';
import { deliverCase } from './deliver-case';
import { endOf, LeaseLost, type AttemptEnd } from './attempt-end';
import { leaseHeld, type Ack, type Claimed, type Lease } from './sender-store';
import { WallClockSteps } from '../../app/clock';
import { deskSchemaVersion, HubConnector } from '../hub/hub-connector';
import { pullHubFeed } from '../hub/hub-puller';
import { HallRecordPusher } from '../hub/hall-records-push';
import { configureHallRecords } from '../hub/hall-records';
import { HallBackfill } from '../hub/hall-backfill';
import { snapshotChangedCases } from '../hub/hub-drafts';
import { seedHallTasks } from '../hub/hall-tasks';
import { restoreFromHub } from '../hub/successor-restore';
import { reconcileHub } from '../hub/hub-reconcile';
import { afterFeedPull } from '../hub/hub-heartbeat';
import { hallFieldRound } from '../hub/hall-field-auto';
import { AuditWitnessSender } from '../hub/audit-witness-send';
import { inlineSenderStore, workerSenderStore, type SenderStore, type SenderStoreMode } from './sender-store-client';
import type { SyncRuntime } from './sync-service';
import type { SyncTargets } from './sync-targets';
import type { SenderConfig, TargetConfig } from './targets-config';

/** What delivering one entry came to. */
export type Delivered = { targetCaseNo: string; via: Ack['via'] };

/** Delivers data-sharing query entries (electron/services/intake/data-queries.ts). */
export interface QueryDelivery {
  /** Throws ConnectorFailure (not_sent) while the platform is unreachable. */
  deliver(entry: Claimed): Promise<Delivered>;
  /** Is the platform there? Throws ConnectorFailure when not. */
  probe(): Promise<void>;
}

interface Lane {
  active: number;
  limit: number;
  /** Claimed (leased) and not started yet: claims go in batches, so one transaction serves several sends. */
  ready: Claimed[];
  /** A claim is being committed (one at a time per lane). */
  claiming: boolean;
}

/** One target's sending: reachability, lanes, the pump. */
class TargetLoop {
  reachable: boolean | null = null;
  /** Wall time of the last probe (shown); its interval is timed on the monotonic clock (`lastProbeMono`). */
  lastProbeAt: string | null = null;
  lastProbeMono: number | null = null;
  lastError: string | null = null;
  probing = false;
  /** The hub's feed is being pulled (hub targets only), and when the last pull started. */
  pulling = false;
  lastPullMs = -Infinity; // monotonic time of the last feed pull (none yet)
  /** The last pull read the feed to its end: the next one may wait at the hub for news (long-poll). */
  feedCaughtUp = false;
  /** A successor's restore from the hub is under way / done for this run (hub/successor-restore.ts). */
  restoring = false;
  restored = false;
  restoreAfterMono = -Infinity;
  /** Reconciliation with the hub (hub targets only): under way, when it last ran, and asked for now (a reconnection, a rewound feed). */
  reconciling = false;
  lastReconcileMs = -Infinity;
  reconcileSoon = true;
  /** Field work through the hub (hall-field-auto.ts): a round under way, when the last began, refusals already logged. */
  fielding = false;
  lastFieldMs = -Infinity;
  readonly fieldRefusals = new Set<string>();
  private pumping = false;
  private again = false;
  readonly small: Lane;
  readonly bulk: Lane = { active: 0, limit: 1, ready: [], claiming: false };

  constructor(
    readonly target: TargetConfig,
    readonly http: HttpTargetConnector | null,
    concurrency: number,
    /** The hall hub (kind 'hub'): its own signed connector. */
    readonly hub: HubConnector | null = null,
  ) {
    this.small = { active: 0, limit: concurrency, ready: [], claiming: false };
  }

  get idle(): boolean {
    return this.small.active === 0 && this.bulk.active === 0;
  }

  /** Runs fn unless a pump is already running, in which case that one goes round again. */
  guard(fn: () => void): void {
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = true;
    try {
      do {
        this.again = false;
        fn();
      } while (this.again);
    } finally {
      this.pumping = false;
    }
  }
}

/** Where the sender's state changes run: a worker thread of its own (the app), or inline on the main connection. */
export interface SenderOptions {
  store?: SenderStoreMode;
  /** The store file (for the worker's own connection). */
  dbFile: string;
}

/**
 * The sender: runs in the main process next to the dispatcher. Every
 * pollMs it recovers expired leases, probes unreachable targets (sending
 * resumes by itself when one answers) and fills each target's lanes: up to
 * `concurrency` small entries of different cases, and one entry with a large
 * file to upload, so a big scan never holds up small cases. Its state
 * changes (claims, acknowledgements, retries, upload offsets) are committed
 * by the sender store (sender-store-client.ts) — in a worker thread, so no
 * fsync of theirs ever stalls the main thread — and the sender acts on each
 * only once it is committed.
 */
export class SyncSender implements SyncRuntime {
  readonly owner = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly cfg: SenderConfig;
  private readonly loops = new Map<string, TargetLoop>();
  private readonly store: SenderStore;
  private timer: NodeJS.Timeout | null = null;
  private clockTimer: NodeJS.Timeout | null = null;
  /** No new work (stop() called). */
  private stopped = false;
  /** The store is closing: touch nothing. */
  private halted = false;
  private recovering = false;
  private readonly clock: ClockCheck;
  private readonly steps: WallClockSteps;
  private acks: Ack[] = [];
  private ackTimer: NodeJS.Timeout | null = null;
  /** Every send, claim and state change under way (for a clean stop). */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Hall records other than cases, to the hub targets (hub/hall-records-push.ts). */
  private readonly hallRecords: HallRecordPusher;
  /** Records written before this desk had the hub target, queued once (hub/hall-backfill.ts); the hub's records are pulled and pushed only after. */
  private readonly backfill: HallBackfill;
  /** Ends the feed requests held open at the hub (long-poll) when stopping. */
  private readonly pullAbort = new AbortController();
  /** This desk's audit entries and signed checkpoints, witnessed by the hub (hub/audit-witness-send.ts). */
  private readonly auditWitness: AuditWitnessSender;

  constructor(
    private readonly deps: Deps,
    private readonly targets: SyncTargets,
    private readonly files: FileStore,
    private readonly queries: QueryDelivery | null,
    opts: SenderOptions,
  ) {
    this.cfg = targets.sender;
    this.store =
      opts.store === 'inline'
        ? inlineSenderStore(deps.db)
        : workerSenderStore(opts.dbFile, (error) => deps.logger.error('sync.storeWorkerRestarted', { error }));
    this.clock = new ClockCheck(deps.db, deps.now, this.cfg.clockSkewWarnMs, (key, value) => this.track(this.store.writeMeta({ key, value }), 'clock'));
    this.steps = new WallClockSteps(deps.now, deps.monotonic);
    for (const t of targets.all()) {
      if (t.kind === 'manual') continue;
      const http = t.kind === 'http' ? new HttpTargetConnector(t, this.cfg.requestTimeoutMs) : null;
      const hub = t.kind === 'hub' ? new HubConnector(t, path.dirname(opts.dbFile), deskSchemaVersion(deps.db), this.cfg.requestTimeoutMs, deps.now, files) : null;
      this.loops.set(t.id, new TargetLoop(t, http, t.concurrency, hub));
    }
    this.hallRecords = new HallRecordPusher(deps, this.owner, this.cfg);
    this.auditWitness = new AuditWitnessSender(deps, path.dirname(opts.dbFile));
    const hubLoops = [...this.loops.values()].filter((l) => l.hub);
    configureHallRecords(deps.db, {
      targetIds: hubLoops.map((l) => l.target.id),
      onQueued: () => {
        for (const l of hubLoops) if (l.reachable) this.pushRecords(l);
      },
    });
    this.backfill = new HallBackfill(deps, (id) => {
      const l = this.loops.get(id);
      if (l?.reachable) this.pushRecords(l);
    });
  }

  /**
   * The wall time, for the times written to the outbox. Retry times and leases are written as wall
   * times (the clerk reads them), but they are durations: when the wall clock has been set back or
   * forward since the last look, the ones already written are moved with it first (in the store's
   * order, before anything computed from the new time), so each keeps its length (app/clock.ts).
   */
  private nowMs(): number {
    const step = this.steps.check();
    if (step !== 0) this.clockStepped(step);
    return this.deps.now().getTime();
  }

  private clockStepped(stepMs: number): void {
    for (const loop of this.loops.values()) for (const lane of [loop.small, loop.bulk]) for (const e of lane.ready) e.leaseUntilMs += stepMs;
    void this.track(this.store.shiftTimes({ owner: this.owner, byMs: stepMs }), 'shiftTimes').then((moved) =>
      this.deps.logger.warn('sync.clockStepped', { stepMs: Math.round(stepMs), moved }),
    );
  }

  start(): void {
    // Waits written before a restart under a clock since set back: never longer than their back-off.
    const nowMs = this.nowMs();
    void this.track(this.store.clampWaits({ nowMs, baseMs: this.cfg.backoffBaseMs, maxMs: this.cfg.backoffMaxMs }), 'clampWaits').then((n) => {
      if (n) this.deps.logger.warn('sync.waitsClamped', { entries: n });
    });
    this.recoverLeases('sync.leasesRecovered');
    this.safely('clock', () => this.clock.start()); // a full disk at start must not stop the app (the time is remembered on the next tick)
    for (const loop of this.loops.values()) if (loop.hub) this.backfill.run(loop.target.id, () => this.stopped || this.halted);
    for (const loop of this.loops.values()) void this.probe(loop);
    this.timer = setInterval(() => this.tick(), this.cfg.pollMs);
    this.timer.unref();
    this.clockTimer = setInterval(() => this.safely('clock', () => this.clock.remember()), 60_000);
    this.clockTimer.unref();
  }

  /** Stops at once without touching the store again (it is about to close); entries in flight are recovered at the next start. */
  halt(): void {
    this.pullAbort.abort();
    if (this.timer) clearInterval(this.timer);
    if (this.clockTimer) clearInterval(this.clockTimer);
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.timer = this.clockTimer = this.ackTimer = null;
    this.stopped = this.halted = true;
    this.store.halt();
  }

  /** Stops claiming; waits for requests in flight and records their outcomes, then closes the store's connection. */
  async stop(): Promise<void> {
    if (this.halted) return;
    if (this.timer) clearInterval(this.timer);
    if (this.clockTimer) clearInterval(this.clockTimer);
    this.timer = this.clockTimer = null;
    this.stopped = true;
    this.pullAbort.abort(); // a feed request held open at the hub (long-poll) ends now
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
    await this.flushAcks();
    // Claimed but never started: back to where they were.
    const unstarted = [...this.loops.values()].flatMap((loop) => [loop.small, loop.bulk].flatMap((lane) => lane.ready.splice(0)));
    if (unstarted.length && !this.halted) await this.store.unclaim({ owner: this.owner, entries: unstarted.map((e) => ({ id: e.id, prior: e.prior })) });
    if (!this.halted) await this.store.close();
  }

  // ---------------------------------------------------------------- SyncRuntime

  /** What the sender's connector last saw of a hub target (electron/services/hub/hub-status.ts). */
  hubLink(targetId: string) {
    return this.loops.get(targetId)?.hub?.link.snapshot() ?? null;
  }

  reachability(targetId: string) {
    const l = this.loops.get(targetId);
    return { reachable: l?.reachable ?? null, lastProbeAt: l?.lastProbeAt ?? null, lastError: l?.lastError ?? null };
  }

  clockWarning(): string | null {
    return this.clock.warning();
  }

  /** Sends now: `release` (the clerk's 立即同步) also lets the waiting retries go at once (asked before the pump's claim: the store answers in order). */
  kick(targetId?: string, release = false): void {
    if (release && !this.stopped) void this.track(this.store.releaseWaits({ targetId: targetId ?? null, nowMs: this.nowMs(), networkOnly: false }), 'releaseWaits');
    for (const loop of this.loops.values()) {
      if (targetId && loop.target.id !== targetId) continue;
      if (loop.reachable) this.pump(loop);
      else void this.probe(loop);
    }
  }

  // ---------------------------------------------------------------- the loop

  private safely(what: string, fn: () => void): void {
    if (this.stopped) return;
    try {
      fn();
    } catch (e) {
      this.deps.logger.error('sync.loopFailed', { what, error: String((e as Error)?.stack ?? e) });
    }
  }

  /** Keeps a store operation for stop() to wait on; a failure is logged (unless the store is going away). */
  private track<T>(p: Promise<T>, what: string): Promise<T | undefined> {
    const t = p.catch((e: unknown) => {
      if (!this.halted) this.deps.logger.error('sync.storeFailed', { what, error: String((e as Error)?.stack ?? e) });
      return undefined;
    });
    this.inFlight.add(t);
    void t.finally(() => this.inFlight.delete(t));
    return t;
  }

  private recoverLeases(event: string): void {
    if (this.recovering) return;
    this.recovering = true;
    void this.track(this.store.recoverLeases({ owner: this.owner, nowMs: this.nowMs() }), 'recoverLeases').then((n) => {
      this.recovering = false;
      if (n) this.deps.logger.warn(event, { entries: n });
    });
  }

  private tick(): void {
    this.safely('hubSnapshot', () => this.snapshotForHub());
    this.safely('hallTasks', () => void seedHallTasks(this.deps)); // tasks from before the hub, queued once (hub/hall-tasks.ts)
    this.safely('tick', () => {
      this.recoverLeases('sync.leasesExpired');
      const mono = this.deps.monotonic();
      for (const loop of this.loops.values()) {
        if (loop.hub) this.backfill.run(loop.target.id, () => this.stopped || this.halted);
        const due = loop.lastProbeMono === null || mono - loop.lastProbeMono >= this.cfg.probeIntervalMs;
        if (!loop.reachable) {
          if (due) void this.probe(loop);
        } else {
          if (due && loop.idle) void this.probe(loop);
          this.pump(loop);
          if (loop.hub) this.pullFeed(loop, mono);
          if (loop.hub) this.pushRecords(loop);
          if (loop.hub) this.restoreAsSuccessor(loop);
          if (loop.hub) this.reconcile(loop, mono);
          if (loop.hub) this.fieldWork(loop, mono);
          if (loop.hub && !this.stopped) this.auditWitness.tick(loop.hub, (p) => void this.track(p, 'auditWitness'));
        }
      }
    });
  }

  private async probe(loop: TargetLoop): Promise<void> {
    if (loop.probing || this.stopped) return;
    loop.probing = true;
    try {
      if (loop.http) await loop.http.probe();
      else if (loop.hub) await loop.hub.probe();
      else if (this.queries) await this.queries.probe();
      else throw new ConnectorFailure({ kind: 'not_sent', message: '无法连接：未配置' });
      this.observeClock(loop);
      this.markReachable(loop);
    } catch (e) {
      this.markUnreachable(loop, this.probeFailureText(loop, e));
    } finally {
      loop.lastProbeAt = this.deps.now().toISOString();
      loop.lastProbeMono = this.deps.monotonic();
      loop.probing = false;
    }
  }

  /** What the sync screen shows for a failed probe: the connector's own Chinese reason; anything else is logged and shown plainly (never `Error: …`). */
  private probeFailureText(loop: TargetLoop, e: unknown): string {
    if (e instanceof ConnectorFailure || e instanceof PlatformUnreachable) return e.message;
    this.deps.logger.warn('sync.probeFailed', { target: loop.target.id, error: String((e as Error)?.stack ?? e) });
    return '连接检查失败，详见日志';
  }

  private markReachable(loop: TargetLoop): void {
    if (this.stopped) return;
    const was = loop.reachable;
    loop.reachable = true;
    loop.lastError = null;
    if (was !== true) {
      loop.reconcileSoon = true; // the hub may have been restored while it was away
      // Asked before the pump's claim: the store answers in order, so the claim sees the released entries.
      void this.track(this.store.releaseWaits({ targetId: loop.target.id, nowMs: this.nowMs(), networkOnly: true }), 'releaseWaits').then((released) =>
        this.deps.logger.info('sync.targetReachable', { target: loop.target.id, released }),
      );
    }
    this.pump(loop);
  }

  private markUnreachable(loop: TargetLoop, message: string): void {
    if (loop.reachable !== false) this.deps.logger.warn('sync.targetUnreachable', { target: loop.target.id, error: message });
    loop.reachable = false;
    loop.lastError = message;
  }

  private observeClock(loop: TargetLoop): void {
    if (loop.http?.lastServerDate) this.clock.observe(loop.target.id, loop.target.name, loop.http.lastServerDate);
  }

  /**
   * Starts claimed entries in the target's free slots, and claims more (committed by the store;
   * the lane is filled again when the claim is back) while less than one round is ready. The bulk
   * lane is looked at only when asked (each poll, a kick, a target back, a bulk entry done):
   * finding no large file costs a scan of the open entries, too much to repeat after every case.
   */
  private pump(loop: TargetLoop, withBulk = true): void {
    if (this.stopped || !loop.reachable) return;
    loop.guard(() =>
      this.safely('pump', () => {
        for (const [laneName, lane] of [
          ['small', loop.small],
          ['bulk', loop.bulk],
        ] as const) {
          const lookForMore = laneName === 'small' || withBulk;
          if (!loop.reachable || (!lookForMore && lane.ready.length === 0)) continue;
          const free = lane.limit - lane.active;
          if (free > 0) for (const entry of lane.ready.splice(0, free)) this.run(loop, lane, entry);
          if (lookForMore && lane.ready.length < lane.limit && !lane.claiming) this.claimFor(loop, laneName, lane);
        }
      }),
    );
  }

  private claimFor(loop: TargetLoop, laneName: 'small' | 'bulk', lane: Lane): void {
    lane.claiming = true;
    const limit = lane.limit * 4 - lane.ready.length;
    void this.track(
      this.store.claim({
        targetId: loop.target.id,
        owner: this.owner,
        nowMs: this.nowMs(),
        leaseMs: this.cfg.leaseMs,
        limit,
        lane: loop.http ? laneName : laneName === 'small' ? 'any' : 'bulk',
        largeBytes: this.cfg.largeFileBytes,
      }),
      'claim',
    ).then((claimed) => {
      lane.claiming = false;
      if (!claimed?.length) return;
      // stop() gives back what is still in `ready` once the sends under way are done.
      lane.ready.push(...claimed);
      this.pump(loop, laneName === 'bulk');
    });
  }

  private run(loop: TargetLoop, lane: Lane, entry: Claimed): void {
    lane.active++;
    const p = this.send(loop, entry)
      .catch((e: unknown) => {
        this.deps.logger.error('sync.deliverFailed', { entry: entry.id, error: String((e as Error)?.stack ?? e) });
      })
      .finally(() => {
        lane.active--;
        this.inFlight.delete(p);
        this.pump(loop, lane === loop.bulk);
      });
    this.inFlight.add(p);
  }

  private async send(loop: TargetLoop, entry: Claimed): Promise<void> {
    if (!(await this.holdLease(entry, 'send'))) return;
    await this.deliver(loop, entry);
  }

  private lease(entry: Claimed): Lease {
    return { id: entry.id, owner: this.owner, attempt: entry.attempts };
  }

  /**
   * Right before a send: does this claim still hold the entry (in flight, leased by this sender
   * under this attempt, not run out)? Read on the main connection, where every committed claim,
   * recovery or settlement is visible. If not — its lease ran out and it was recovered as unknown
   * (to be resolved, look-up first where needed), it was claimed again, or another process took
   * it over — it is not sent. A lease about to run out during the request is renewed first.
   */
  private async holdLease(entry: Claimed, before: 'send' | 'post'): Promise<boolean> {
    const now = this.nowMs();
    let held = leaseHeld(this.deps.db, { ...this.lease(entry), nowMs: now });
    if (held && entry.leaseUntilMs - now < this.cfg.requestTimeoutMs + 1000) {
      const untilMs = now + this.cfg.leaseMs;
      held = await this.store.renewLease({ ...this.lease(entry), untilMs });
      if (held) entry.leaseUntilMs = untilMs;
    }
    if (!held) this.deps.logger.warn('sync.leaseLost', { entry: entry.id, target: entry.target_id, attempt: entry.attempts, before });
    return held;
  }

  private async deliver(loop: TargetLoop, entry: Claimed): Promise<void> {
    try {
      const done =
        entry.kind === 'query'
          ? await this.queries!.deliver(entry)
          : loop.hub
            ? await loop.hub.deliver(entry)
            : await deliverCase(
              {
                deps: this.deps,
                store: this.store,
                files: this.files,
                http: loop.http!,
                cfg: this.cfg,
                owner: this.owner,
                nowMs: () => this.nowMs(),
                stopped: () => this.stopped,
                holdLease: () => this.holdLease(entry, 'post'),
              },
              entry,
            );
      this.observeClock(loop);
      if (this.halted) return;
      if (loop.reachable !== true) this.markReachable(loop);
      this.queueAck({ id: entry.id, attempt: entry.attempts, caseId: entry.case_id, targetId: entry.target_id, ...done });
    } catch (e) {
      this.observeClock(loop);
      if (this.halted) return;
      const end = endOf(e);
      if (e instanceof LeaseLost) {
        this.deps.logger.warn('sync.attemptFailed', { entry: entry.id, target: entry.target_id, attempt: entry.attempts, ...end });
        return;
      }
      const f: Failure = e instanceof ConnectorFailure ? e.failure : { kind: 'retry', status: 0, retryAfterMs: null, message: `发送失败：${(e as Error).message}` };
      if (!(e instanceof ConnectorFailure)) this.deps.logger.error('sync.deliverError', { entry: entry.id, error: String((e as Error)?.stack ?? e) });
      await this.fail(loop, entry, f, end);
    }
  }

  /**
   * Records a failed attempt. An entry that was `unknown` before this attempt (it may be at the
   * target already) stays `unknown` whatever stopped its resolution — the target unreachable,
   * busy, or the look-up's answer lost — and is resolved again later, look-up first where the
   * target does not de-duplicate: never re-sent blind. Only an answer about the entry itself
   * (a refusal of the same-key re-send, or of the post after a look-up found nothing) parks it.
   */
  private async fail(loop: TargetLoop, entry: Claimed, f: Failure, end: AttemptEnd): Promise<void> {
    const now = this.nowMs();
    const backoff = (retryAfter: number | null = null) => now + backoffMs(entry.attempts, { baseMs: this.cfg.backoffBaseMs, maxMs: this.cfg.backoffMaxMs }, retryAfter);
    const at = this.lease(entry);
    if (f.kind === 'not_sent') this.markUnreachable(loop, f.message);
    // One line per failed attempt, saying why it ended (attempt-end.ts); `error`: the precise cause where there is one.
    const why = { entry: entry.id, target: entry.target_id, attempt: entry.attempts, failure: f.kind, ...end };
    if (f.kind === 'maybe_sent') this.deps.logger.warn('sync.outcomeUnknown', { ...why, error: f.detail ?? f.message });
    else this.deps.logger.info('sync.attemptFailed', { ...why, ...(f.kind === 'not_sent' && f.detail ? { error: f.detail } : {}) });
    if (entry.prior === 'unknown' && f.kind !== 'rejected') {
      const error =
        f.kind === 'maybe_sent'
          ? `${f.message}，是否送达未知，将自动核对`
          : f.kind === 'not_sent'
            ? `结果未知，待恢复连接后自动核对（${f.message}）`
            : `结果未知，将稍后自动核对（${f.message}）`;
      await this.store.toUnknown({ ...at, nextMs: backoff(f.kind === 'retry' ? f.retryAfterMs : null), error });
      return;
    }
    switch (f.kind) {
      case 'not_sent':
        await this.store.toRetry({ ...at, nextMs: backoff(), error: f.message });
        break;
      case 'maybe_sent':
        await this.store.toUnknown({ ...at, nextMs: backoff(), error: `${f.message}，是否送达未知，将自动核对` });
        break;
      case 'retry':
        await this.store.toRetry({ ...at, nextMs: backoff(f.retryAfterMs), error: f.message });
        break;
      case 'rejected':
        await this.store.park({ ...at, caseId: entry.case_id, targetId: entry.target_id, reason: f.field ? `${f.message}（字段：${f.field}）` : f.message, status: f.status, atMs: now });
        break;
    }
  }

  /** Cases changed since the last look (drafts included) become entries for the hub targets only (hub/hub-drafts.ts). */
  private snapshotForHub(): void {
    const hubs = [...this.loops.values()].filter((l) => l.hub).map((l) => l.target);
    if (!hubs.length || this.stopped) return;
    const r = snapshotChangedCases(this.deps, hubs);
    for (const f of r.failed) this.deps.logger.error('hub.snapshotFailed', f);
  }

  /** A successor desk takes the dead desk's cases and files from the hub, once, resumably (hub/successor-restore.ts). */
  private restoreAsSuccessor(loop: TargetLoop): void {
    const hub = loop.hub;
    if (!hub || loop.restoring || loop.restored || this.deps.monotonic() < loop.restoreAfterMono) return;
    loop.restoring = true;
    void this.track(
      restoreFromHub(this.deps, hub, this.files).then(
        (r) => {
          loop.restored = true;
          if (r.predecessor) this.deps.logger[r.refused.length ? 'warn' : 'info']('hub.successorRestored', { target: loop.target.id, ...r });
        },
        (e: unknown) => {
          loop.restoreAfterMono = this.deps.monotonic() + hub.target.pullMs; // tried again after a pause, from where it stopped
          if (!this.halted) this.deps.logger.warn('hub.successorRestoreFailed', { target: loop.target.id, error: String((e as Error)?.message ?? e) });
        },
      ),
      'hubRestore',
    ).finally(() => {
      loop.restoring = false;
    });
  }

  /** The hall hub's change feed, pulled every `pullMs` while the hub is reachable (electron/services/hub/hub-puller.ts). */
  private pullFeed(loop: TargetLoop, now: number /* monotonic */, force = false): void {
    const hub = loop.hub;
    if (!hub || loop.pulling || this.stopped || (!force && now - loop.lastPullMs < hub.target.pullMs)) return;
    if (!this.backfill.ready(loop.target.id)) return; // this desk's own records first (hub/hall-backfill.ts)
    loop.pulling = true;
    loop.lastPullMs = now;
    const waitMs = hub.target.feedWaitMs;
    // Long-poll only once caught up: the first pull after a start or a reconnection answers at once.
    const wait = loop.feedCaughtUp ? waitMs : 0;
    void this.track(
      pullHubFeed(this.deps, hub, { waitMs: wait, signal: this.pullAbort.signal }).then(
        (r) => {
          if (r.records) this.deps.logger.info('hub.feedPulled', { target: loop.target.id, ...r });
          loop.feedCaughtUp = true;
          // Long-poll: ask again at once (that request waits at the hub for news) — except after a
          // waiting request the hub answered empty at once (a hub without long-poll): then the next tick.
          const answeredAtOnce = wait > 0 && r.records === 0 && this.deps.monotonic() - now < Math.min(wait, 250);
          if (waitMs > 0 && !answeredAtOnce) {
            setImmediate(() => {
              if (loop.reachable && !this.stopped) this.pullFeed(loop, this.deps.monotonic(), true);
            });
          }
          if (r.reset) loop.reconcileSoon = true; // a rewound feed: the hub was restored
          return afterFeedPull(this.deps, hub, this.deps.monotonic());
        },
        // The hub went away mid-pull: the pages applied stay, the next pull resumes from the cursor.
        (e: unknown) => {
          loop.feedCaughtUp = false;
          if (!this.halted) this.deps.logger.warn('hub.feedPullFailed', { target: loop.target.id, error: String((e as Error)?.message ?? e) });
        },
      ),
      'hubFeed',
    ).finally(() => {
      loop.pulling = false;
    });
  }

  /** Hall records other than cases (credit, applicants) to a reachable hub (electron/services/hub/hall-records-push.ts). */
  private pushRecords(loop: TargetLoop): void {
    if (!loop.hub || this.stopped || !this.backfill.ready(loop.target.id)) return;
    void this.track(this.hallRecords.push(loop.hub), 'hallRecords');
  }

  /** Field work through a reachable hub, every fieldMs (electron/services/hub/hall-field-auto.ts). */
  private fieldWork(loop: TargetLoop, now: number /* monotonic */): void {
    const hub = loop.hub;
    if (!hub || !hub.target.fieldMs || loop.fielding || this.stopped || now - loop.lastFieldMs < hub.target.fieldMs) return;
    loop.fielding = true;
    loop.lastFieldMs = now;
    void this.track(
      hallFieldRound({ ...this.deps, files: this.files }, hub).then(
        (r) => {
          const did = r.offered + r.issued + r.applied + r.duplicates + r.fetched + r.sent;
          const fresh = r.refused.filter((x) => !loop.fieldRefusals.has(`${x.ref}|${x.message}`));
          for (const x of fresh) loop.fieldRefusals.add(`${x.ref}|${x.message}`);
          if (did || fresh.length) this.deps.logger[fresh.length ? 'warn' : 'info']('hub.fieldRound', { target: loop.target.id, ...r, refused: fresh });
        },
        // The hub went away mid-way: what was done is remembered, the rest is done again at the next round.
        (e: unknown) => {
          if (!this.halted) this.deps.logger.warn('hub.fieldRoundFailed', { target: loop.target.id, error: String((e as Error)?.message ?? e) });
        },
      ),
      'hubField',
    ).finally(() => {
      loop.fielding = false;
    });
  }

  /** The hub still holds what it acknowledged? Entries it lacks go back to the outbox (electron/services/hub/hub-reconcile.ts). */
  private reconcile(loop: TargetLoop, now: number /* monotonic */): void {
    const hub = loop.hub;
    if (!hub || loop.reconciling || (!loop.reconcileSoon && now - loop.lastReconcileMs < hub.target.reconcileMs)) return;
    loop.reconciling = true;
    loop.reconcileSoon = false;
    loop.lastReconcileMs = now;
    void this.track(
      reconcileHub(this.deps, hub).then(
        (r) => {
          if (r.requeued) {
            this.deps.logger.warn('hub.requeued', { target: loop.target.id, ...r });
            this.pump(loop);
          }
        },
        // Not done: again at the next reconnection or after reconcileMs.
        (e: unknown) => {
          if (!this.halted) this.deps.logger.warn('hub.reconcileFailed', { target: loop.target.id, error: String((e as Error)?.message ?? e) });
        },
      ),
      'hubReconcile',
    ).finally(() => {
      loop.reconciling = false;
    });
  }

  // ---------------------------------------------------------------- acknowledgements, in batches

  private queueAck(a: Ack): void {
    this.acks.push(a);
    if (this.acks.length >= this.cfg.ackBatch) void this.flushAcks();
    else if (!this.ackTimer) {
      this.ackTimer = setTimeout(() => void this.flushAcks(), this.cfg.ackFlushMs);
    }
  }

  /**
   * One transaction for the batch; the next entries of these cases may go only once it committed.
   * A crash before that leaves the entries in flight → unknown → resolved as such (same key or
   * look-up), so batching never loses or doubles anything.
   */
  private async flushAcks(): Promise<void> {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.halted) return;
    const batch = this.acks;
    this.acks = [];
    if (batch.length === 0) return;
    const n = await this.track(this.store.acknowledge({ owner: this.owner, acks: batch, atMs: this.nowMs() }), 'acknowledge');
    if (n === undefined) {
      if (!this.halted) this.deps.logger.error('sync.ackFailed', { entries: batch.map((a) => a.id) });
      return;
    }
    for (const id of new Set(batch.map((a) => a.targetId))) {
      const loop = this.loops.get(id);
      if (loop) this.pump(loop, false);
    }
  }
}
