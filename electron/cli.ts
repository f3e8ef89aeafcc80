/**
 * Command-line tools that work on a data folder without starting the app.
 *
 *   node dist/electron/cli.cjs audit-verify [--data-dir DIR]
 *
 * audit-verify reads the store read-only and walks the audit hash chain:
 * exit 0 when intact, 1 naming the first broken entry, 2 when it cannot read,
 * 3 when intact but some entry's time is earlier than its predecessor's (listed:
 * the clock was set back; a warning, not a broken chain).
 *
 *   node dist/electron/cli.cjs bundle-export|bundle-import|transfer-setup|transfer-card|transfer-pair …
 *
 * The intranet/extranet transfer commands (services/transfer/transfer-cli.ts, docs/transfer.md).
 *
 * Beside a running desk (store/data-dir-lock.ts): audit-verify only reads. The transfer commands
 * write the store in SQLite transactions and run beside a desk and beside each other, as the desk's
 * own transfer worker does; each holds the folder's import guard shared for its run, so that a desk
 * *starting* meanwhile skips its sweep of orphan files instead of removing the files an import has
 * placed but not yet committed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { verifyAuditChain } from './services/audit/audit-chain';
import { chinaClock, chinaDate } from '../shared/rules/china-time';
import { defaultDataDir, storePaths } from './app/paths';
import { runTransferCli, TRANSFER_COMMANDS } from './services/transfer/transfer-cli';
import { holdImportGuard } from './store/data-dir-lock';

function auditVerify(dataDir: string): number {
  const { dbFile } = storePaths(dataDir);
  if (!fs.existsSync(dbFile)) {
    process.stderr.write(`找不到数据库文件：${dbFile}\n`);
    return 2;
  }
  let db;
  try {
    db = new Database(dbFile, { readonly: true, fileMustExist: true });
    const r = verifyAuditChain(db);
    if (r.ok) process.stdout.write(`审计链完整：共 ${r.checked} 条记录，逐条核对哈希无误。（${dbFile}）\n`);
    else process.stdout.write(`审计链已断开：第 ${r.firstBroken!.seq} 条记录——${r.firstBroken!.reason}。此前 ${r.checked} 条完好。（${dbFile}）\n`);
    const back = r.backwardTimes;
    if (back.count) {
      process.stdout.write(`注意：有 ${back.count} 条记录的时间早于前一条（系统时钟可能曾被调回；记录的先后以序号为准）：\n`);
      const time = (at: string) => `${chinaDate(at)} ${chinaClock(at)}`;
      for (const b of back.entries) process.stdout.write(`  第 ${b.seq} 条 ${time(b.at)}，早于前一条的 ${time(b.previousAt)}\n`);
      if (back.count > back.entries.length) process.stdout.write(`  ……另有 ${back.count - back.entries.length} 条\n`);
    }
    return !r.ok ? 1 : back.count ? 3 : 0;
  } catch (e) {
    process.stderr.write(`无法读取数据库：${(e as Error).message}\n`);
    return 2;
  } finally {
    db?.close();
  }
}

/** A transfer command under the folder's import guard (a folder that does not exist is left to the command to refuse). */
async function runTransfer(cmd: string): Promise<number> {
  const guard = fs.existsSync(dataDir) ? holdImportGuard(dataDir, { command: cmd }) : null;
  try {
    return await runTransferCli(cmd, rest, dataDir);
  } finally {
    guard?.release();
  }
}

const [command, ...rest] = process.argv.slice(2);
const { values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' } }, strict: false });
const dataDir = path.resolve((values['data-dir'] as string | undefined) ?? process.env.DESK_DATA_DIR ?? defaultDataDir());
if (command === 'audit-verify') process.exit(auditVerify(dataDir));
// Imports flush many files in parallel (libuv's pool; read when first used).
process.env.UV_THREADPOOL_SIZE ??= '16';
if (command && TRANSFER_COMMANDS.includes(command)) void runTransfer(command).then((code) => process.exit(code));
else {
  process.stderr.write('用法：cli.cjs audit-verify|bundle-export|bundle-import|transfer-setup|transfer-card|transfer-pair [--data-dir 目录] …（见 docs/transfer.md）\n');
  process.exit(2);
}
