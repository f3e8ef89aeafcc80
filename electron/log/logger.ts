import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { endsInTornLine } from '../store/durable-write';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** A logger never throws: a log line can never turn a request (or a committed write) into a failure. */
export interface Logger {
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): string;
  info(event: string, fields?: Record<string, unknown>): string;
  warn(event: string, fields?: Record<string, unknown>): string;
  error(event: string, fields?: Record<string, unknown>): string;
  /** Entries kept in memory (tests and the in-app log view read these). */
  recent(): readonly LogEntry[];
}

export interface LogEntry {
  id: string;
  at: string;
  level: LogLevel;
  event: string;
  [key: string]: unknown;
}

export interface LoggerOptions {
  file?: string;
  echo?: boolean;
  /** Entries kept in memory (default 500). */
  keep?: number;
  /** Bytes of lines held in memory while the file cannot be written (a full disk); beyond, the oldest are dropped and counted. Default 1 MB. */
  maxPendingBytes?: number;
}

/**
 * JSON-lines logger. Every entry gets a short id that user-facing error
 * messages quote, so a clerk's screenshot leads straight to the log line.
 *
 * It never throws. When the file cannot be written (a full disk, EIO, a file that cannot be
 * opened) the lines wait in memory, in order — a line cut short by the disk is continued from
 * its first unwritten byte, so the file never holds half a line — and are written by the next
 * log call that succeeds, followed by a warn line `log.resumed` saying since when the file could
 * not be written, why, how many lines were held back and how many were lost (dropped beyond
 * `maxPendingBytes`). The in-memory ring keeps every entry meanwhile.
 */
export function createLogger(opts: LoggerOptions = {}): Logger {
  const keep = opts.keep ?? 500;
  const ring: LogEntry[] = [];
  const file = opts.file ? new LogFile(opts.file, opts.maxPendingBytes ?? 1 << 20) : null;
  if (opts.echo) quietStderr();

  const entry = (level: LogLevel, event: string, fields: Record<string, unknown>): LogEntry => {
    const e: LogEntry = { id: randomBytes(4).toString('hex'), at: new Date().toISOString(), level, event, ...fields };
    ring.push(e);
    if (ring.length > keep) ring.shift();
    return e;
  };

  const log = (level: LogLevel, event: string, fields: Record<string, unknown> = {}): string => {
    const e = entry(level, event, fields);
    const line = jsonLine(e);
    if (file) {
      const resumed = file.append(line);
      if (resumed) file.append(jsonLine(entry('warn', 'log.resumed', { ...resumed })));
    }
    if (opts.echo && level !== 'debug') {
      try {
        process.stderr.write(line);
      } catch {
        // stderr gone: the file and the ring still have the line
      }
    }
    return e.id;
  };
  return {
    log,
    info: (e, f) => log('info', e, f),
    warn: (e, f) => log('warn', e, f),
    error: (e, f) => log('error', e, f),
    recent: () => ring,
  };
}

let stderrQuiet = false;
/** A closed or full stderr must not crash the process (an 'error' event without a listener would). */
function quietStderr(): void {
  if (stderrQuiet) return;
  stderrQuiet = true;
  process.stderr.on('error', () => undefined);
}

/** The entry as one JSON line; fields JSON cannot hold (a BigInt, a cycle) are given as text. */
function jsonLine(e: LogEntry): string {
  try {
    return JSON.stringify(e) + '\n';
  } catch {
    const safe: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(e)) {
      try {
        JSON.stringify(v);
        safe[k] = v;
      } catch {
        safe[k] = String(v);
      }
    }
    return JSON.stringify(safe) + '\n';
  }
}

/** What the log file says when it can be written again after a failure. */
interface Resumed {
  failedSince: string;
  error: string;
  heldBack: number;
  lost: number;
}

/** The log file: appended to, never throwing; lines that cannot be written wait in memory. */
class LogFile {
  private fd: number | null = null;
  /** Lines not yet (wholly) in the file, oldest first; `head` bytes of the first are already written. */
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private head = 0;
  private failure: { since: string; error: string; heldBack: number; lost: number } | null = null;

  constructor(
    private readonly file: string,
    private readonly maxPendingBytes: number,
  ) {}

  /** Appends a line; returns what to report when this call wrote the file again after a failure. */
  append(line: string): Resumed | null {
    this.pending.push(Buffer.from(line, 'utf8'));
    this.pendingBytes += this.pending[this.pending.length - 1]!.length;
    try {
      this.open();
      this.drain();
    } catch (e) {
      this.failed(e);
      this.bound();
      return null;
    }
    const f = this.failure;
    if (!f) return null;
    this.failure = null;
    return { failedSince: f.since, error: f.error, heldBack: f.heldBack, lost: f.lost };
  }

  private open(): void {
    if (this.fd !== null) return;
    fs.mkdirSync(path.dirname(this.file), { recursive: true });
    const fd = fs.openSync(this.file, 'a+');
    try {
      // A line cut short (a crash, or a stop while a full disk held the rest back) is removed: it cannot be
      // read as a line, and the file ends again at a whole one. Only when no line end is near (a fragment
      // over 64 KB) does the next line start on a new line after it instead. (Evidence files keep a torn
      // line and close it off instead — appendLineDurably; endsInTornLine says why the two differ.)
      const size = fs.fstatSync(fd).size;
      if (endsInTornLine(fd, size)) {
        const span = Math.min(size, 64 * 1024);
        const tail = Buffer.alloc(span);
        fs.readSync(fd, tail, 0, span, size - span);
        const nl = tail.lastIndexOf(0x0a);
        if (nl >= 0 || span === size) fs.ftruncateSync(fd, size - span + nl + 1);
        else {
          this.pending.unshift(Buffer.from('\n'));
          this.pendingBytes++;
        }
      }
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
    this.fd = fd;
  }

  private drain(): void {
    while (this.pending.length) {
      const b = this.pending[0]!;
      const n = fs.writeSync(this.fd!, b, this.head, b.length - this.head);
      if (!(n > 0)) throw Object.assign(new Error('ENOSPC: no bytes written'), { code: 'ENOSPC' });
      this.head += n;
      if (this.head === b.length) {
        this.pending.shift();
        this.pendingBytes -= b.length;
        this.head = 0;
      }
    }
  }

  private failed(e: unknown): void {
    const error = e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e);
    if (!this.failure) this.failure = { since: new Date().toISOString(), error, heldBack: 0, lost: 0 };
    this.failure.error = error;
    this.failure.heldBack = this.pending.length;
  }

  /** Drops the oldest lines beyond the memory bound, counting them (never the first: it may be partly written, or the newline after a cut line; never the newest). */
  private bound(): void {
    while (this.pendingBytes > this.maxPendingBytes && this.pending.length > 2) {
      this.pendingBytes -= this.pending.splice(1, 1)[0]!.length;
      this.failure!.lost++;
    }
  }
}
