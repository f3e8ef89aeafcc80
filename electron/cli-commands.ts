/**
 * The command-line tools on a data folder, without starting the app:
 *
 *   audit-verify [--data-dir DIR] [--witness PEER_DIR]
 *                                     walks the audit hash chain read-only: exit 0 intact,
 *                                     1 naming the first broken entry, 2 when it cannot read,
 *                                     3 when intact but some entry's time is earlier than its
 *                                     predecessor's (listed: the clock was set back; a warning);
 *                                     with --witness, also compares with the signed heads the peer
 *                                     desk (its data folder) witnessed in this desk's bundles
 *   bundle-export|bundle-import|transfer-setup|transfer-card|transfer-pair …
 *                                     the intranet/extranet transfer commands (docs/transfer.md)
 *
 * Reached as `node dist/electron/cli.cjs <command>` in development and as
 * `<desk executable> --cli <command>` on an installed desk (electron/main.ts dispatches it before
 * any window). The data folder is the one every host uses (app/data-dir.ts).
 *
 * Beside a running desk (store/data-dir-lock.ts): audit-verify only reads. The transfer commands
 * write the store in SQLite transactions and run beside a desk and beside each other, as the desk's
 * own transfer worker does; each holds the folder's import guard shared for its run, so that a desk
 * *starting* meanwhile skips its sweep of orphan files instead of removing the files an import has
 * placed but not yet committed.
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { verifyAudit } from './services/audit/verify-audit';
import { checkAgainstWitness } from './services/audit/witnessed-heads';
import { auditKeyPub } from './services/audit/checkpoints';
import { readDeskCard } from './services/transfer/desk-keys';
import { storePaths } from './app/paths';
import { DataDirConflictError, resolveDataDir } from './app/data-dir';
import { runTransferCli, TRANSFER_COMMANDS } from './services/transfer/transfer-cli';
import { holdImportGuard } from './store/data-dir-lock';
import { isPlaintextSqlite, openDeskDb, type Db } from './store/store-cipher';
import { StoreKeyRefused, type StoreKeySource } from './store/store-key';
import { unlockStore } from './store/unlock-store';
import { chinaClock, chinaDate } from '../shared/rules/china-time';

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const stdio: CliOutput = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

function auditVerify(dataDir: string, io: CliOutput, storeKey?: StoreKeySource, witnessDir?: string): number {
  const { dbFile } = storePaths(dataDir);
  if (!fs.existsSync(dbFile)) {
    io.err(`找不到数据库文件：${dbFile}\n`);
    return 2;
  }
  let db;
  try {
    // Only reads: the key found (never a migration); a store an older version left in plaintext is read as it is.
    unlockStore({ dataDir, ...(storeKey ? { source: storeKey } : {}), migrate: false });
    db = openDeskDb(dbFile, { readonly: true, fileMustExist: true, ...(isPlaintextSqlite(dbFile) ? { key: null } : {}) });
    const r = verifyAudit(db, dataDir);
    const cp = r.checkpoints;
    const signed = cp.latestSeq !== null ? `与 ${cp.compared} 个签名检查点相符（最近一个记到第 ${cp.latestSeq} 条，${chinaDate(cp.latestSignedAt!)} ${chinaClock(cp.latestSignedAt!)} 签名）` : '没有签名检查点可核对（本数据库早于检查点功能）';
    if (r.ok) io.out(`审计链完整：共 ${r.checked} 条记录，逐条核对哈希无误，${signed}。（${dbFile}）\n`);
    else if (r.firstBroken!.by === 'chain') io.out(`审计链已断开：第 ${r.firstBroken!.seq} 条记录——${r.firstBroken!.reason}。此前 ${r.checked} 条完好。（${dbFile}）\n`);
    else io.out(`审计链与签名检查点不符：${r.firstBroken!.reason}。（${dbFile}）\n`);
    const back = r.backwardTimes;
    if (back.count) {
      io.out(`注意：有 ${back.count} 条记录的时间早于前一条（系统时钟可能曾被调回；记录的先后以序号为准）：\n`);
      const time = (at: string) => `${chinaDate(at)} ${chinaClock(at)}`;
      for (const b of back.entries) io.out(`  第 ${b.seq} 条 ${time(b.at)}，早于前一条的 ${time(b.previousAt)}\n`);
      if (back.count > back.entries.length) io.out(`  ……另有 ${back.count - back.entries.length} 条\n`);
    }
    const witnessed = witnessDir ? compareWithWitness(db, dataDir, witnessDir, io) : true;
    return !r.ok || !witnessed ? 1 : back.count ? 3 : 0;
  } catch (e) {
    io.err(e instanceof StoreKeyRefused ? `${e.userMessage}\n` : `无法读取数据库：${(e as Error).message}\n`);
    return 2;
  } finally {
    db?.close();
  }
}

/** The signed heads of this desk the peer desk witnessed (its data folder, read-only), compared with this desk's table. */
function compareWithWitness(db: Db, dataDir: string, witnessDir: string, io: CliOutput): boolean {
  const deskId = readDeskCard(dataDir)?.deskId;
  const witnessFile = storePaths(witnessDir).dbFile;
  if (!deskId) {
    io.out('本机没有工作台身份卡，无法与对端工作台见证的检查点核对。\n');
    return false;
  }
  // The peer's store is read with its own key (beside its folder, or its OS key store), read-only.
  unlockStore({ dataDir: witnessDir, migrate: false });
  const witness = openDeskDb(witnessFile, { readonly: true, fileMustExist: true, ...(isPlaintextSqlite(witnessFile) ? { key: null } : {}) });
  try {
    const w = checkAgainstWitness(db, deskId, auditKeyPub(dataDir), witness);
    if (w.finding) io.out(`与对端工作台见证的检查点不符：${w.finding.reason}。（见证：${witnessFile}）\n`);
    else if (w.latest) io.out(`与对端工作台见证的 ${w.compared} 个检查点相符（最近一个记到第 ${w.latest.seq} 条，${chinaDate(w.latest.signedAt)} ${chinaClock(w.latest.signedAt)} 签名）。\n`);
    else io.out(`对端工作台没有见证过本机的检查点（见证：${witnessFile}）。\n`);
    return !w.finding;
  } finally {
    witness.close();
  }
}

/** A transfer command under the folder's import guard (a folder that does not exist is left to the command to refuse). */
async function runTransfer(command: string, rest: string[], dataDir: string, storeKey?: StoreKeySource): Promise<number> {
  const guard = fs.existsSync(dataDir) ? holdImportGuard(dataDir, { command }) : null;
  try {
    return await runTransferCli(command, rest, dataDir, storeKey);
  } finally {
    guard?.release();
  }
}

export const USAGE = '用法：audit-verify|bundle-export|bundle-import|transfer-setup|transfer-card|transfer-pair [--data-dir 目录] …（见 docs/transfer.md）\n';

/** Runs one command; resolves its exit code. */
export async function runCli(args: readonly string[], io: CliOutput = stdio, storeKey?: StoreKeySource): Promise<number> {
  const [command, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' }, witness: { type: 'string' } }, strict: false });
  let dataDir: string;
  try {
    dataDir = resolveDataDir(values['data-dir'] as string | undefined).dir;
  } catch (e) {
    io.err(`${e instanceof DataDirConflictError ? e.userMessage : (e as Error).message}\n`);
    return 2;
  }
  if (command === 'audit-verify') return auditVerify(dataDir, io, storeKey, typeof values.witness === 'string' ? values.witness : undefined);
  // Imports flush many files in parallel (libuv's pool; read when first used).
  process.env.UV_THREADPOOL_SIZE ??= '16';
  if (command && TRANSFER_COMMANDS.includes(command)) return runTransfer(command, [...rest], dataDir, storeKey);
  io.err(USAGE);
  return 2;
}
