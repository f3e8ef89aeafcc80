import type { Db } from '../../store/open-store';
import { readMeta, writeMeta } from './sender-store';

const LAST_SEEN = 'clock.lastSeenAt';
/** Going back by less than this between runs is not worth a warning (e.g. NTP corrections). */
const BACKWARDS_TOLERANCE_MS = 5 * 60_000;

const minutes = (ms: number) => Math.max(1, Math.round(Math.abs(ms) / 60_000));

/**
 * Does this machine's clock look wrong? Two signs: it is behind the latest
 * time this desk has already seen (kept in sync_meta), or far from a target's
 * Date header. Time stamps on cases and commitments depend on it.
 */
export class ClockCheck {
  private behindMs = 0;
  private readonly skews = new Map<string, { name: string; skewMs: number }>();

  /** `persist` writes a sync_meta value later (the sender's store thread); the first write, at start, is done at once on `db`. */
  constructor(
    private readonly db: Db,
    private readonly now: () => Date,
    private readonly warnSkewMs: number,
    private readonly persist: (key: string, value: string) => void = (key, value) => writeMeta(db, { key, value }),
  ) {}

  /** At start: compare with the latest time seen by earlier runs, then remember now (written before start returns). */
  start(): void {
    const last = readMeta(this.db, LAST_SEEN);
    const now = this.now().getTime();
    if (last && Date.parse(last) - now > BACKWARDS_TOLERANCE_MS) this.behindMs = Date.parse(last) - now;
    this.remember((key, value) => writeMeta(this.db, { key, value }));
  }

  /** Persists the latest time seen (never moves it backwards). */
  remember(write = this.persist): void {
    const last = readMeta(this.db, LAST_SEEN);
    const now = this.now();
    if (!last || Date.parse(last) < now.getTime()) write(LAST_SEEN, now.toISOString());
  }

  /** A target's Date header just seen (its answer came `now`). */
  observe(targetId: string, name: string, serverDate: Date): void {
    this.skews.set(targetId, { name, skewMs: this.now().getTime() - serverDate.getTime() });
  }

  warning(): string | null {
    if (this.behindMs > 0) return `本机时间比上次运行时记录的时间早约 ${minutes(this.behindMs)} 分钟，系统时钟可能有误，请联系管理员校准时间。`;
    for (const s of this.skews.values()) {
      if (Math.abs(s.skewMs) > this.warnSkewMs) {
        return `本机时间与“${s.name}”相差约 ${minutes(s.skewMs)} 分钟（本机${s.skewMs > 0 ? '偏快' : '偏慢'}），请联系管理员校准时间。`;
      }
    }
    return null;
  }
}
