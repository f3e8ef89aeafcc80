/** A target's Retry-After is honoured up to this (beyond, the target is misbehaving). */
export const RETRY_AFTER_CEILING_MS = 60 * 60_000;

/**
 * Capped exponential back-off with jitter: min(max, base · 2^(attempt-1)),
 * then spread over [50 %, 100 %] of that so that many entries failing together
 * do not come back together. A Retry-After from the target is honoured when it
 * asks for longer (up to an hour), even beyond our own cap.
 */
export function backoffMs(attempt: number, o: { baseMs: number; maxMs: number }, retryAfterMs: number | null = null, random: () => number = Math.random): number {
  const jittered = backoffCapMs(attempt, o) * (0.5 + random() / 2);
  return Math.round(Math.max(jittered, Math.min(retryAfterMs ?? 0, RETRY_AFTER_CEILING_MS)));
}

/** The longest our own back-off waits after `attempt` (before jitter): min(max, base · 2^(attempt-1)). */
export function backoffCapMs(attempt: number, o: { baseMs: number; maxMs: number }): number {
  return Math.min(o.maxMs, o.baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
}
