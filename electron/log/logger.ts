import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

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

/**
 * JSON-lines logger. Every entry gets a short id that user-facing error
 * messages quote, so a clerk's screenshot leads straight to the log line.
 */
export function createLogger(opts: { file?: string; echo?: boolean; keep?: number } = {}): Logger {
  const keep = opts.keep ?? 500;
  const ring: LogEntry[] = [];
  let fd: number | null = null;
  if (opts.file) {
    fs.mkdirSync(path.dirname(opts.file), { recursive: true });
    fd = fs.openSync(opts.file, 'a');
  }
  const log = (level: LogLevel, event: string, fields: Record<string, unknown> = {}): string => {
    const entry: LogEntry = { id: randomBytes(4).toString('hex'), at: new Date().toISOString(), level, event, ...fields };
    ring.push(entry);
    if (ring.length > keep) ring.shift();
    const line = JSON.stringify(entry) + '\n';
    if (fd !== null) fs.writeSync(fd, line);
    if (opts.echo && level !== 'debug') process.stderr.write(line);
    return entry.id;
  };
  return {
    log,
    info: (e, f) => log('info', e, f),
    warn: (e, f) => log('warn', e, f),
    error: (e, f) => log('error', e, f),
    recent: () => ring,
  };
}
