/**
 * Command-line tools that work on a data folder without starting the app.
 *
 *   node dist/electron/cli.cjs audit-verify [--data-dir DIR]
 *
 * audit-verify reads the store read-only and walks the audit hash chain:
 * exit 0 when intact, 1 naming the first broken entry, 2 when it cannot read.
 *
 *   node dist/electron/cli.cjs bundle-export|bundle-import|transfer-setup|transfer-card|transfer-pair …
 *
 * The intranet/extranet transfer commands (services/transfer/transfer-cli.ts, docs/transfer.md).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { verifyAuditChain } from './services/audit/audit-chain';
import { defaultDataDir, storePaths } from './app/paths';
import { runTransferCli, TRANSFER_COMMANDS } from './services/transfer/transfer-cli';

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
    if (r.ok) {
      process.stdout.write(`审计链完整：共 ${r.checked} 条记录，逐条核对哈希无误。（${dbFile}）\n`);
      return 0;
    }
    process.stdout.write(`审计链已断开：第 ${r.firstBroken!.seq} 条记录——${r.firstBroken!.reason}。此前 ${r.checked} 条完好。（${dbFile}）\n`);
    return 1;
  } catch (e) {
    process.stderr.write(`无法读取数据库：${(e as Error).message}\n`);
    return 2;
  } finally {
    db?.close();
  }
}

const [command, ...rest] = process.argv.slice(2);
const { values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' } }, strict: false });
const dataDir = path.resolve((values['data-dir'] as string | undefined) ?? process.env.DESK_DATA_DIR ?? defaultDataDir());
if (command === 'audit-verify') process.exit(auditVerify(dataDir));
// Imports flush many files in parallel (libuv's pool; read when first used).
process.env.UV_THREADPOOL_SIZE ??= '16';
if (command && TRANSFER_COMMANDS.includes(command)) void runTransferCli(command, rest, dataDir).then((code) => process.exit(code));
else {
  process.stderr.write('用法：cli.cjs audit-verify|bundle-export|bundle-import|transfer-setup|transfer-card|transfer-pair [--data-dir 目录] …（见 docs/transfer.md）\n');
  process.exit(2);
}
