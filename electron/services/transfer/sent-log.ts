import fs from 'node:fs';
import path from 'node:path';
import { writeAllSync } from '../../store/durable-write';
import type { AckRecord } from './bundle-format';
import { forEachLine } from './line-reader';
import { stagingName } from './staging-root';

/**
 * What went into a bundle being written — the outbox entry ids, and each ack exactly as sent —
 * kept in a temp file in the staging folder instead of memory, and replayed in the transaction
 * that records the bundle. Removed afterwards (or swept once this process is gone).
 */
export class SentLog {
  private readonly file: string;
  private fd: number | null;
  private lines: string[] = [];
  private chars = 0;

  constructor(root: string) {
    fs.mkdirSync(root, { recursive: true });
    this.file = path.join(root, stagingName('export'));
    this.fd = fs.openSync(this.file, 'wx', 0o600);
  }

  entry(id: number): void {
    this.push(`E${id}`);
  }

  ack(a: AckRecord): void {
    this.push(`A${JSON.stringify(a)}`);
  }

  close(): void {
    this.flush();
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }

  /** Calls back for each entry id and each ack (its JSON as sent), in the order they were noted. */
  replay(entry: (id: number) => void, ack: (json: string) => void): void {
    this.close();
    forEachLine(this.file, (line) => (line[0] === 'E' ? entry(Number(line.slice(1))) : ack(line.slice(1))));
  }

  discard(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
    fs.rmSync(this.file, { force: true });
  }

  private push(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars > 64 * 1024) this.flush();
  }

  private flush(): void {
    if (!this.lines.length || this.fd === null) return;
    writeAllSync(this.fd, Buffer.from(this.lines.join('\n') + '\n'));
    this.lines = [];
    this.chars = 0;
  }
}
