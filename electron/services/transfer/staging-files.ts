import fs from 'node:fs';
import path from 'node:path';
import { writeAllSync } from '../../store/durable-write';
import { Worker } from 'node:worker_threads';
import { workerBundle } from '../../workers/run-in-worker';
import { sealingStream } from '../files/file-cipher';

/**
 * Writes the files of a bundle into the staging folder as the parser meets them, one at a time
 * (begin, pieces, end), in sub-folders by the first two hex digits of the hash like the file
 * store (a folder of 30,000 names is slower to fill and to empty). One synchronous
 * open/write/close per file: for many small files that is several times faster than the same on
 * libuv's thread pool (measured). Not flushed here: import-bundle.ts flushes them all at once
 * before they are moved into the file store.
 *
 * The parser calls segmentStart(plain) before it feeds a segment and awaits segmentEnd() after:
 * the pieces it hands over are views of that segment.
 *
 * With the file store's key (`fileKey`), each file is sealed as it is written (files/file-cipher.ts
 * sealingStream: the same bytes the file store writes), so no file of a bundle is ever on disk in
 * clear, not even in staging; they are moved into files/ as they are.
 */
export interface StagingFiles {
  readonly dir: string;
  segmentStart(plain: Buffer): void;
  begin(sha256: string): void;
  piece(data: Buffer): void;
  end(): void;
  segmentEnd(): Promise<void>;
  /** Waits until every file is written; throws a write failure. */
  drain(): Promise<void>;
  /** Closes what is open (also after a failure). */
  close(): Promise<void>;
}

export function stagingFiles(dir: string, opts: { threaded: boolean; segmentBytes: number; fileKey?: Buffer | null }): StagingFiles {
  fs.mkdirSync(dir, { recursive: true });
  return opts.threaded ? new ThreadedStagingFiles(dir, opts.segmentBytes, opts.fileKey ?? null) : new InlineStagingFiles(dir, opts.fileKey ?? null);
}

/** One staged file being written: in clear without a key, else sealed piece by piece. */
export class StagedFileWriter {
  private readonly seal: ReturnType<typeof sealingStream> | null;
  constructor(
    private readonly fd: number,
    sha256: string,
    fileKey: Buffer | null,
  ) {
    this.seal = fileKey ? sealingStream(fileKey, sha256) : null;
    if (this.seal) writeAllSync(fd, this.seal.head);
  }
  piece(data: Buffer): void {
    writeAllSync(this.fd, this.seal ? this.seal.update(data) : data);
  }
  end(): void {
    if (this.seal) writeAllSync(this.fd, this.seal.final());
    fs.closeSync(this.fd);
  }
  abandon(): void {
    fs.closeSync(this.fd);
  }
}

/** On the calling thread. */
class InlineStagingFiles implements StagingFiles {
  private file: StagedFileWriter | null = null;
  private readonly made = new Set<string>();

  constructor(
    readonly dir: string,
    private readonly fileKey: Buffer | null,
  ) {}

  segmentStart(): void {}

  begin(sha256: string): void {
    const sub = sha256.slice(0, 2);
    if (!this.made.has(sub)) {
      fs.mkdirSync(path.join(this.dir, sub), { recursive: true });
      this.made.add(sub);
    }
    this.file = new StagedFileWriter(fs.openSync(path.join(this.dir, sub, sha256), 'w'), sha256, this.fileKey);
  }

  piece(data: Buffer): void {
    this.file!.piece(data);
  }

  end(): void {
    this.file!.end();
    this.file = null;
  }

  async segmentEnd(): Promise<void> {}

  async drain(): Promise<void> {}

  async close(): Promise<void> {
    this.file?.abandon();
    this.file = null;
  }
}

/** What the staging worker is asked: a segment (in shared slot `slot`) and what to write from it, or to close. */
export type StagingOp = ['b', string] | ['p', number, number] | ['e'];
export interface StagingRequest {
  id: number;
  slot?: number;
  ops?: StagingOp[];
  close?: boolean;
}

/** Segments handed to the staging worker at once (each in a shared slot of its own). */
const SLOTS = 3;
export type StagingReply = { id: number; ok: true } | { id: number; ok: false; error: string; code?: string };

/**
 * In a worker thread of its own (workers/staging-worker.ts): each segment is copied into one of
 * three shared slots and handed over with the list of file operations on it, so creating the files
 * runs beside the decrypting and parsing of the next segment. (Transferring each segment's own
 * memory instead left it to the worker's garbage collector, which let it pile up.)
 */
class ThreadedStagingFiles implements StagingFiles {
  private readonly worker: Worker;
  private readonly slots: Buffer[];
  private segment: Buffer | null = null;
  private ops: StagingOp[] = [];
  private nextId = 1;
  private sent = 0;
  private readonly waiting = new Map<number, { resolve(): void; reject(e: Error): void }>();
  private readonly inFlight: Promise<void>[] = [];
  private failure: Error | null = null;

  constructor(
    readonly dir: string,
    segmentBytes: number,
    fileKey: Buffer | null,
  ) {
    const shared = Array.from({ length: SLOTS }, () => new SharedArrayBuffer(segmentBytes));
    this.slots = shared.map((b) => Buffer.from(b));
    // A small young generation: the worker's garbage (each segment's list of operations) is collected as it goes.
    this.worker = new Worker(workerBundle('staging-worker.cjs'), { workerData: { dir, slots: shared, fileKey }, execArgv: [], resourceLimits: { maxYoungGenerationSizeMb: 2 } });
    this.worker.on('message', (r: StagingReply) => {
      const w = this.waiting.get(r.id);
      this.waiting.delete(r.id);
      if (r.ok) w?.resolve();
      else w?.reject(Object.assign(new Error(`staging: ${r.error}`), r.code ? { code: r.code } : {}));
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`the staging worker exited with code ${code}`)));
  }

  segmentStart(plain: Buffer): void {
    this.segment = plain;
    this.ops = [];
  }

  begin(sha256: string): void {
    this.ops.push(['b', sha256]);
  }

  piece(data: Buffer): void {
    this.ops.push(['p', data.byteOffset - this.segment!.byteOffset, data.length]);
  }

  end(): void {
    this.ops.push(['e']);
  }

  async segmentEnd(): Promise<void> {
    const seg = this.segment!;
    this.segment = null;
    if (!this.ops.length) return;
    const ops = this.ops;
    this.ops = [];
    if (this.inFlight.length === SLOTS) await this.inFlight.shift(); // its slot is the one to use next
    const slot = this.sent++ % SLOTS;
    seg.copy(this.slots[slot]!);
    const done = this.send({ slot, ops });
    done.catch(() => undefined); // awaited above or in drain()
    this.inFlight.push(done);
  }

  async drain(): Promise<void> {
    while (this.inFlight.length) await this.inFlight.shift();
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    for (const p of this.inFlight.splice(0)) await p.catch(() => undefined);
    if (!this.failure) await this.send({ close: true }).catch(() => undefined);
    await this.worker.terminate();
  }

  private send(m: Omit<StagingRequest, 'id'>): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({ ...m, id });
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }
}
