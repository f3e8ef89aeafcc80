import fs from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { StagedFileWriter, type StagingOp, type StagingReply, type StagingRequest } from '../services/transfer/staging-files';

/**
 * Writes an import's staged files (staging-files.ts, ThreadedStagingFiles): the main thread
 * parses a segment, copies it into a shared slot and hands it over with what to do — begin a file,
 * write a piece of the segment, end the file — so creating thousands of small files runs beside
 * the decrypting and hashing of the next segment.
 */
const { dir, slots, fileKey } = workerData as { dir: string; slots: SharedArrayBuffer[]; fileKey: Uint8Array | null };
const key = fileKey ? Buffer.from(fileKey) : null;
const views = slots.map((b) => Buffer.from(b));
const made = new Set<string>();
let file: StagedFileWriter | null = null;

function run(bytes: Buffer, ops: StagingOp[]): void {
  for (const op of ops) {
    if (op[0] === 'b') {
      const sub = op[1].slice(0, 2);
      if (!made.has(sub)) {
        fs.mkdirSync(path.join(dir, sub), { recursive: true });
        made.add(sub);
      }
      file = new StagedFileWriter(fs.openSync(path.join(dir, sub, op[1]), 'w'), op[1], key);
    } else if (op[0] === 'p') {
      file!.piece(bytes.subarray(op[1], op[1] + op[2]));
    } else {
      file!.end();
      file = null;
    }
  }
}

parentPort!.on('message', (m: StagingRequest) => {
  let reply: StagingReply;
  try {
    if (m.close) {
      file?.abandon();
      file = null;
    } else run(views[m.slot!]!, m.ops!);
    reply = { id: m.id, ok: true };
  } catch (e) {
    const code = (e as { code?: unknown } | null)?.code;
    reply = { id: m.id, ok: false, error: e instanceof Error ? e.message : String(e), ...(typeof code === 'string' ? { code } : {}) };
  }
  parentPort!.postMessage(reply);
});
