import fs from 'node:fs';
import path from 'node:path';

/**
 * Writes the files of a bundle into the staging folder as the parser meets them, one at a time
 * (begin, pieces, end), in sub-folders by the first two hex digits of the hash like the file
 * store (a folder of 30,000 names is slower to fill and to empty). Written on the calling thread:
 * for many small files one synchronous open/write/close each is several times faster than the
 * same on libuv's thread pool (measured). Not flushed here: import-bundle.ts flushes them all at
 * once before they are moved into the file store.
 */
export class StagingFiles {
  private fd: number | null = null;
  private readonly made = new Set<string>();

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  pathOf(sha256: string): string {
    return path.join(this.dir, sha256.slice(0, 2), sha256);
  }

  begin(sha256: string): void {
    const sub = sha256.slice(0, 2);
    if (!this.made.has(sub)) {
      fs.mkdirSync(path.join(this.dir, sub), { recursive: true });
      this.made.add(sub);
    }
    this.fd = fs.openSync(this.pathOf(sha256), 'w');
  }

  piece(data: Buffer): void {
    for (let off = 0; off < data.length; ) off += fs.writeSync(this.fd!, data, off, data.length - off);
  }

  end(): void {
    fs.closeSync(this.fd!);
    this.fd = null;
  }

  close(): void {
    if (this.fd !== null) fs.closeSync(this.fd);
    this.fd = null;
  }
}
