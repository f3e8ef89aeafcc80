/**
 * What this desk last saw of its hub (docs/hub.md, "Screens"): connected, unreachable since …, or
 * refused with the hub's reason in Chinese; the last answered request and the last successful
 * feed pull. Kept in memory by the hub connector the sender uses; the times the desk must still
 * know after a restart (the last pull, the last acknowledged push) are read from its store
 * (hub-status.ts).
 */

export type LinkState = 'connected' | 'unreachable' | 'refused' | 'unknown';

export interface HubLinkSnapshot {
  state: LinkState;
  since: string | null;
  reason: string | null;
  refusalCode: string | null;
  lastExchangeAt: string | null;
  lastPullAt: string | null;
  feedLast: number | null;
}

export class HubLink {
  private s: HubLinkSnapshot = { state: 'unknown', since: null, reason: null, refusalCode: null, lastExchangeAt: null, lastPullAt: null, feedLast: null };

  constructor(private readonly now: () => Date) {}

  private move(state: LinkState, reason: string | null, refusalCode: string | null): void {
    const at = this.now().toISOString();
    const changed = this.s.state !== state || this.s.refusalCode !== refusalCode;
    this.s = { ...this.s, state, reason, refusalCode, since: changed ? at : this.s.since };
  }

  /** The hub answered (signed, verified) and did not refuse this desk. */
  answered(): void {
    this.move('connected', null, null);
    this.s.lastExchangeAt = this.now().toISOString();
  }

  /** The hub answered and refused this desk (not enrolled, removed, clock, signature, protocol). */
  refused(code: string, reason: string): void {
    this.move('refused', reason, code);
  }

  /** No answer that can be believed: network down, hub busy, or an answer not signed by the pinned key. */
  unreachable(reason: string): void {
    this.move('unreachable', reason, null);
  }

  /** A feed pull ended without error (every page it read is applied). */
  pulled(): void {
    this.s.lastPullAt = this.now().toISOString();
  }

  /** The feed's last number as the hub told it. */
  feedLastIs(seq: number): void {
    this.s.feedLast = seq;
  }

  snapshot(): HubLinkSnapshot {
    return { ...this.s };
  }
}
