import type Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { applyPragmas } from '../store/open-store';
import { importStoreKeys, openDeskDb } from '../store/store-cipher';
import { SENDER_OPS, type SenderOpName } from '../services/sync/sender-store';
import type { StoreReply } from '../services/sync/sender-store-client';
import { progress } from '../log/progress';

/**
 * The sync sender's store thread (sender-store-client.ts): its own connection
 * to the desk's store, with the app's pragmas (WAL, synchronous=FULL), runs
 * the sender's state changes one message at a time, in order, and answers
 * each after its transaction committed. Reports `sync.<op>` before and `sync.<op>.done` after
 * each (log/progress.ts, for the kill tests; an acknowledgement batch with its size).
 */
importStoreKeys((workerData as { storeKeys?: unknown }).storeKeys);
const db = openDeskDb(String((workerData as { dbFile: string }).dbFile), { fileMustExist: true });
applyPragmas(db);

parentPort!.on('message', (msg: { id: number; op: SenderOpName | 'close'; arg: unknown }) => {
  let reply: StoreReply;
  try {
    if (msg.op === 'close') {
      db.close();
      reply = { id: msg.id, ok: true, value: null };
    } else {
      const fn = SENDER_OPS[msg.op] as ((db: Database.Database, arg: unknown) => unknown) | undefined;
      if (!fn) throw new Error(`unknown sync store operation: ${msg.op}`);
      const size = msg.op === 'acknowledge' ? (msg.arg as { acks: unknown[] }).acks.length : undefined;
      progress(`sync.${msg.op}`, size);
      reply = { id: msg.id, ok: true, value: fn(db, msg.arg) };
      progress(`sync.${msg.op}.done`, size);
    }
  } catch (e) {
    reply = { id: msg.id, ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), code: (e as { code?: string }).code };
  }
  parentPort!.postMessage(reply);
});
