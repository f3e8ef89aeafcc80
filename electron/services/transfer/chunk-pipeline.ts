/**
 * A plaintext stream cut at fixed chunk boundaries. Each full chunk is handed to `emit` (which
 * seals and writes it, on libuv's thread pool) while the caller fills the next one, so reading
 * files and sealing parts run at the same time. Chunks are emitted one after another, in order.
 * At most `depth` chunk buffers exist — the one being filled and those still being emitted — so
 * memory is `depth × chunkBytes` whatever the length of the stream; when all are busy, filling
 * waits for the oldest.
 */
export class ChunkPipeline {
  private cur: Buffer;
  private fill = 0;
  private index = 0;
  private allocated = 1;
  private bytes = 0;
  private tail: Promise<void> = Promise.resolve();
  private readonly busy: { buf: Buffer; done: Promise<void> }[] = [];
  private ended = false;

  constructor(
    private readonly chunkBytes: number,
    private readonly depth: number,
    private readonly emit: (index: number, plain: Buffer, last: boolean) => Promise<void>,
  ) {
    this.cur = Buffer.allocUnsafe(chunkBytes);
  }

  /** Plaintext bytes written so far. */
  get total(): number {
    return this.bytes;
  }

  /** Chunks handed to `emit` so far. */
  get chunks(): number {
    return this.index;
  }

  /** The free space of the current chunk (never empty): fill a prefix of it, then commit(n). */
  async room(): Promise<Buffer> {
    if (this.fill === this.chunkBytes) await this.cut(false);
    return this.cur.subarray(this.fill);
  }

  commit(n: number): void {
    this.fill += n;
    this.bytes += n;
  }

  /** Copies data in (waits only when a chunk is full and no buffer is free). */
  async write(data: Buffer): Promise<void> {
    let off = 0;
    while (off < data.length) {
      if (this.fill === this.chunkBytes) await this.cut(false);
      const n = data.copy(this.cur, this.fill, off, Math.min(data.length, off + this.chunkBytes - this.fill));
      this.commit(n);
      off += n;
    }
  }

  /** Emits the last chunk and waits for every chunk to be emitted (throws the first failure). */
  async finish(): Promise<void> {
    if (this.ended) throw new Error('chunk stream already finished');
    this.ended = true;
    await this.cut(true);
    await this.tail;
  }

  /** Waits until nothing is in flight, ignoring failures (before removing what was written). */
  async settle(): Promise<void> {
    await this.tail.catch(() => undefined);
  }

  private async cut(last: boolean): Promise<void> {
    const buf = this.cur;
    const plain = buf.subarray(0, this.fill);
    const i = this.index++;
    const done = this.tail.then(() => this.emit(i, plain, last));
    done.catch(() => undefined); // observed through `tail` (finish) or when the buffer is taken back
    this.tail = done;
    this.busy.push({ buf, done });
    if (last) return;
    this.cur = await this.nextBuffer();
    this.fill = 0;
  }

  private async nextBuffer(): Promise<Buffer> {
    if (this.allocated < this.depth) {
      this.allocated++;
      return Buffer.allocUnsafe(this.chunkBytes);
    }
    const oldest = this.busy.shift()!;
    await oldest.done;
    return oldest.buf;
  }
}
