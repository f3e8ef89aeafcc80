/**
 * Times on screen, all in China time (shared/rules/china-time.ts) whatever the machine's time zone,
 * so a list, its drawer and the printed PDF agree; '—' where there is none.
 */
import { chinaClock, chinaDate, chinaDateTime } from '../../../shared/rules/china-time';

/** "2026-11-22 10:05". */
export function deskTime(iso: string | null | undefined): string {
  return iso ? chinaDateTime(iso) : '—';
}

/** "2026-11-22 10:05:09": to the second (the audit log). */
export function deskInstant(iso: string | null | undefined): string {
  return iso ? `${chinaDate(iso)} ${chinaClock(iso)}` : '—';
}

/** "2026-11-22". */
export function deskDay(iso: string | null | undefined): string {
  return iso ? chinaDate(iso) : '—';
}

/** "10:05:09" for today (China time), "11-21 10:05:09" for another day. */
export function shortTime(iso: string | null | undefined, nowMs = Date.now()): string {
  if (!iso) return '—';
  const day = chinaDate(iso);
  return day === chinaDate(new Date(nowMs)) ? chinaClock(iso) : `${day.slice(5)} ${chinaClock(iso)}`;
}

/** "2026年11月22日 星期日": today's date for the home page. */
export function deskToday(now = new Date()): string {
  return now.toLocaleDateString('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: 'long', day: 'numeric', weekday: 'long' });
}
