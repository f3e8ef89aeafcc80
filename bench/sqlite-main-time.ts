// How long this thread spends inside SQLite, in contiguous sections: a statement run outside a
// transaction, or a whole transaction (its statements and its COMMIT, i.e. the fsync with
// synchronous=FULL). Each section blocks the event loop from start to end. Only writable
// connections opened in this thread are counted (the bench's own read-only progress poll is not),
// and only between start() and stop(); a worker thread's connection is another module instance
// in another isolate and is never counted. Instruments better-sqlite3-multiple-ciphers' prototype (the store's, store/store-cipher.ts): call
// instrumentSqlite() before the connections to be measured prepare their statements.
import Database from 'better-sqlite3-multiple-ciphers';
import { nowMs } from './lib';

export interface SqliteTime {
  sections: number;
  totalMs: number;
  maxMs: number;
  over10Ms: number;
}

export interface SqliteMeter {
  start(): void;
  stop(): SqliteTime;
}

type Fn = (...a: unknown[]) => unknown;

export function instrumentSqlite(): SqliteMeter {
  let on = false;
  let depth = 0;
  let t: SqliteTime = { sections: 0, totalMs: 0, maxMs: 0, over10Ms: 0 };
  const record = (ms: number) => {
    t.sections++;
    t.totalMs += ms;
    if (ms > t.maxMs) t.maxMs = ms;
    if (ms > 10) t.over10Ms++;
  };
  const timed = (g: Fn): Fn =>
    function (this: unknown, ...a: unknown[]) {
      if (!on) return g.apply(this, a);
      const outer = depth === 0;
      const t0 = outer ? nowMs() : 0;
      depth++;
      try {
        return g.apply(this, a);
      } finally {
        depth--;
        if (outer) record(nowMs() - t0);
      }
    };
  const proto = Database.prototype as unknown as { prepare: Fn; transaction: Fn };
  const prepare = proto.prepare;
  proto.prepare = function (this: Database.Database, ...a: unknown[]) {
    const st = prepare.apply(this, a) as Record<string, Fn>;
    if (this.readonly) return st;
    for (const m of ['run', 'get', 'all']) st[m] = timed(st[m]!);
    return st;
  };
  const transaction = proto.transaction;
  proto.transaction = function (this: Database.Database, ...a: unknown[]) {
    const tx = transaction.apply(this, a) as Fn & Record<'deferred' | 'immediate' | 'exclusive', Fn>;
    if (this.readonly) return tx;
    return Object.assign(timed(tx), { deferred: timed(tx.deferred), immediate: timed(tx.immediate), exclusive: timed(tx.exclusive) });
  };
  return {
    start() {
      t = { sections: 0, totalMs: 0, maxMs: 0, over10Ms: 0 };
      on = true;
    },
    stop() {
      on = false;
      return t;
    },
  };
}
