/**
 * Command-line tools that work on a data folder without starting the app.
 *
 *   node dist/electron/cli.cjs audit-verify [--data-dir DIR]
 *
 * audit-verify reads the store read-only and walks the audit hash chain:
 * exit 0 when intact, 1 naming the first broken entry, 2 when it cannot read.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { verifyAuditChain } from './services/audit/audit-chain';
import { defaultDataDir, storePaths } from './app/paths';

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
const { values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' } } });
const dataDir = path.resolve(values['data-dir'] ?? process.env.DESK_DATA_DIR ?? defaultDataDir());
if (command === 'audit-verify') process.exit(auditVerify(dataDir));
process.stderr.write('用法：cli.cjs audit-verify [--data-dir 目录]\n');
process.exit(2);
