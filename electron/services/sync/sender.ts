import { randomBytes } from 'node:crypto';
import type { Deps } from '../../app/deps';
import type { FileStore } from '../files/file-store';
import { backoffMs } from './backoff';
import { ClockCheck } from './clock-check';
import { ConnectorFailure, HttpTargetConnector, type Failure } from './http-connector';
import { deliverCase } from './deliver-case';
import { acknowledge, claim, park, renewLease, unclaim, recoverLeases, releaseNetworkWaits, toRetry, toUnknown, type Ack, type Claimed } from './sender-store';
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
}

/** One target's sending: reachability, lanes, the pump. */
class TargetLoop {
  reachable: boolean | null = null;
  lastProbeAt: string | null = null;
  lastError: string | null = null;
  probing = false;
  private pumping = false;
  private again = false;
  readonly small: Lane;
  readonly bulk: Lane = { active: 0, limit: 1, ready: [] };

  constructor(
    readonly target: TargetConfig,
    readonly http: HttpTargetConnector | null,
    concurrency: number,
  ) {
    this.small = { active: 0, limit: concurrency, ready: [] };
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

/**
 * The sender: runs in the main process next to the dispatcher. Every
 * pollMs it recovers expired leases, probes unreachable targets (sending
 * resumes by itself when one answers) and fills each target's lanes: up to
 * `concurrency` small entries of different cases, and one entry with a large
 * file to upload, so a big scan never holds up small cases.
 */
export class SyncSender implements SyncRuntime {
  readonly owner = `${process.pid}-${randomBytes(4).toString('hex')}`;
  private readonly cfg: SenderConfig;
  private readonly loops = new Map<string, TargetLoop>();
  private timer: NodeJS.Timeout | null = null;
  private clockTimer: NodeJS.Timeout | null = null;
  /** No new work (stop() called). */
  private stopped = false;
  /** The store is closing: touch nothing. */
  private halted = false;
  private readonly clock: ClockCheck;
  private acks: Ack[] = [];
  private ackTimer: NodeJS.Timeout | null = null;
  /** Settles when every request in flight has finished (for a clean stop in tests). */
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    private readonly deps: Deps,
    private readonly targets: SyncTargets,
    private readonly files: FileStore,
    private readonly queries: QueryDelivery | null,
  ) {
    this.cfg = targets.sender;
    this.clock = new ClockCheck(deps.db, deps.now, this.cfg.clockSkewWarnMs);
    for (const t of targets.all()) {
      if (t.kind === 'manual') continue;
      const http = t.kind === 'http' ? new HttpTargetConnector(t, this.cfg.requestTimeoutMs) : null;
      this.loops.set(t.id, new TargetLoop(t, http, t.concurrency));
    }
  }

  private nowMs(): number {
    return this.deps.now().getTime();
  }

  start(): void {
    const n = recoverLeases(this.deps.db, this.owner, this.nowMs());
    if (n) this.deps.logger.warn('sync.leasesRecovered', { entries: n });
    this.clock.start();
    for (const loop of this.loops.values()) void this.probe(loop);
    this.timer = setInterval(() => this.tick(), this.cfg.pollMs);
    this.timer.unref();
    this.clockTimer = setInterval(() => this.safely('clock', () => this.clock.remember()), 60_000);
    this.clockTimer.unref();
  }

  /** Stops at once without touching the store again (it is about to close); entries in flight are recovered at the next start. */
  halt(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.clockTimer) clearInterval(this.clockTimer);
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.timer = this.clockTimer = this.ackTimer = null;
    this.stopped = this.halted = true;
  }

  /** Stops claiming; waits for requests in flight and records their outcomes. */
  async stop(): Promise<void> {
    if (this.halted) return;
    if (this.timer) clearInterval(this.timer);
    if (this.clockTimer) clearInterval(this.clockTimer);
    this.timer = this.clockTimer = null;
    this.stopped = true;
    await Promise.allSettled([...this.inFlight]);
    this.flushAcks();
    // Claimed but never started: back to where they were.
    for (const loop of this.loops.values()) {
      for (const lane of [loop.small, loop.bulk]) unclaim(this.deps.db, this.owner, lane.ready.splice(0));
    }
  }

  // ---------------------------------------------------------------- SyncRuntime

  reachability(targetId: string) {
    const l = this.loops.get(targetId);
    return { reachable: l?.reachable ?? null, lastProbeAt: l?.lastProbeAt ?? null, lastError: l?.lastError ?? null };
  }

  clockWarning(): string | null {
    return this.clock.warning();
  }

  kick(targetId?: string): void {
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

  private tick(): void {
    this.safely('tick', () => {
      const n = recoverLeases(this.deps.db, this.owner, this.nowMs());
      if (n) this.deps.logger.warn('sync.leasesExpired', { entries: n });
      const now = this.nowMs();
      for (const loop of this.loops.values()) {
        const due = !loop.lastProbeAt || now - Date.parse(loop.lastProbeAt) >= this.cfg.probeIntervalMs;
        if (!loop.reachable) {
          if (due) void this.probe(loop);
        } else {
          if (due && loop.idle) void this.probe(loop);
          this.pump(loop);
        }
      }
    });
  }

  private async probe(loop: TargetLoop): Promise<void> {
    if (loop.probing || this.stopped) return;
    loop.probing = true;
    try {
      if (loop.http) await loop.http.probe();
      else if (this.queries) await this.queries.probe();
      else throw new ConnectorFailure({ kind: 'not_sent', message: '无法连接：未配置' });
      this.observeClock(loop);
      this.markReachable(loop);
    } catch (e) {
      this.markUnreachable(loop, e instanceof ConnectorFailure ? e.message : String(e));
    } finally {
      loop.lastProbeAt = this.deps.now().toISOString();
      loop.probing = false;
    }
  }

  private markReachable(loop: TargetLoop): void {
    if (this.stopped) return;
    const was = loop.reachable;
    loop.reachable = true;
    loop.lastError = null;
    if (was !== true) {
      const released = releaseNetworkWaits(this.deps.db, loop.target.id, this.nowMs());
      this.deps.logger.info('sync.targetReachable', { target: loop.target.id, released });
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
   * Fills the target's free slots with claimed entries and starts them. The bulk lane is looked at
   * only when asked (each poll, a kick, a target back, a bulk entry done): finding no large file
   * costs a scan of the open entries, too much to repeat after every small case.
   */
  private pump(loop: TargetLoop, withBulk = true): void {
    if (this.stopped || !loop.reachable) return;
    loop.guard(() =>
      this.safely('pump', () => {
        for (const [laneName, lane] of [
          ['small', loop.small],
          ['bulk', loop.bulk],
        ] as const) {
          if (laneName === 'bulk' && !withBulk && lane.ready.length === 0) continue;
          const free = lane.limit - lane.active;
          if (free <= 0 || !loop.reachable) continue;
          if (lane.ready.length < free) {
            lane.ready.push(
              ...claim(this.deps.db, {
                targetId: loop.target.id,
                owner: this.owner,
                nowMs: this.nowMs(),
                leaseMs: this.cfg.leaseMs,
                limit: lane.limit * 4 - lane.ready.length,
                lane: loop.http ? laneName : laneName === 'small' ? 'any' : 'bulk',
                largeBytes: this.cfg.largeFileBytes,
              }),
            );
          }
          for (const entry of lane.ready.splice(0, free)) this.run(loop, lane, entry);
        }
      }),
    );
  }

  private run(loop: TargetLoop, lane: Lane, entry: Claimed): void {
    // A claimed entry that waited in the lane: still ours? (If its lease ran out it was recovered
    // as unknown and will be resolved — look-up first where needed — so it must not be sent blind.)
    const now = this.nowMs();
    const leaseLeft = entry.leaseUntilMs - now;
    if (leaseLeft < this.cfg.requestTimeoutMs + 1000 && !renewLease(this.deps.db, entry.id, this.owner, now + this.cfg.leaseMs)) {
      this.deps.logger.warn('sync.leaseLost', { entry: entry.id, target: entry.target_id });
      return;
    }
    lane.active++;
    const p = this.deliver(loop, entry)
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

  private async deliver(loop: TargetLoop, entry: Claimed): Promise<void> {
    try {
      const done =
        entry.kind === 'query'
          ? await this.queries!.deliver(entry)
          : await deliverCase({ deps: this.deps, files: this.files, http: loop.http!, cfg: this.cfg, owner: this.owner, stopped: () => this.stopped }, entry);
      this.observeClock(loop);
      if (this.halted) return;
      if (loop.reachable !== true) this.markReachable(loop);
      this.queueAck({ id: entry.id, caseId: entry.case_id, targetId: entry.target_id, ...done });
    } catch (e) {
      this.observeClock(loop);
      if (this.halted) return;
      const f: Failure = e instanceof ConnectorFailure ? e.failure : { kind: 'retry', status: 0, retryAfterMs: null, message: `发送失败：${(e as Error).message}` };
      if (!(e instanceof ConnectorFailure)) this.deps.logger.error('sync.deliverError', { entry: entry.id, error: String((e as Error)?.stack ?? e) });
      this.fail(loop, entry, f);
    }
  }

  private fail(loop: TargetLoop, entry: Claimed, f: Failure): void {
    const now = this.nowMs();
    const backoff = (retryAfter: number | null = null) => now + backoffMs(entry.attempts, { baseMs: this.cfg.backoffBaseMs, maxMs: this.cfg.backoffMaxMs }, retryAfter);
    const db = this.deps.db;
    switch (f.kind) {
      case 'not_sent':
        this.markUnreachable(loop, f.message);
        toRetry(db, entry.id, this.owner, backoff(), f.message);
        break;
      case 'maybe_sent':
        toUnknown(db, entry.id, this.owner, backoff(), f.message);
        break;
      case 'retry':
        toRetry(db, entry.id, this.owner, backoff(f.retryAfterMs), f.message);
        break;
      case 'rejected':
        park(this.deps, this.owner, { id: entry.id, caseId: entry.case_id, targetId: entry.target_id }, f.field ? `${f.message}（字段：${f.field}）` : f.message, f.status);
        break;
    }
  }

  // ---------------------------------------------------------------- acknowledgements, in batches

  private queueAck(a: Ack): void {
    this.acks.push(a);
    if (this.acks.length >= this.cfg.ackBatch) this.flushAcks();
    else if (!this.ackTimer) {
      this.ackTimer = setTimeout(() => this.flushAcks(), this.cfg.ackFlushMs);
    }
  }

  /** One transaction for the batch; a crash before it leaves the entries in flight, resolved as unknown (same key). */
  private flushAcks(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = null;
    if (this.halted) return;
    const batch = this.acks;
    this.acks = [];
    if (batch.length === 0) return;
    try {
      acknowledge(this.deps, this.owner, batch);
    } catch (e) {
      this.deps.logger.error('sync.ackFailed', { entries: batch.map((a) => a.id), error: String(e) });
      return;
    }
    // The next entries of these cases may go now.
    for (const id of new Set(batch.map((a) => a.targetId))) {
      const loop = this.loops.get(id);
      if (loop) this.pump(loop, false);
    }
  }
}
