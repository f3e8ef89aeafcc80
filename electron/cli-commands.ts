/**
 * The command-line tools on a data folder, without starting the app:
 *
 *   audit-verify [--data-dir DIR]     walks the audit hash chain read-only: exit 0 intact,
 *                                     1 naming the first broken entry, 2 when it cannot read
 *   bundle-export|bundle-import|transfer-setup|transfer-card|transfer-pair …
 *                                     the intranet/extranet transfer commands (docs/transfer.md)
 *
 * Reached as `node dist/electron/cli.cjs <command>` in development and as
 * `<desk executable> --cli <command>` on an installed desk (electron/main.ts dispatches it before
 * any window). The data folder is the one every host uses (app/data-dir.ts).
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { verifyAuditChain } from './services/audit/audit-chain';
import { storePaths } from './app/paths';
import { DataDirConflictError, resolveDataDir } from './app/data-dir';
import { runTransferCli, TRANSFER_COMMANDS } from './services/transfer/transfer-cli';

export interface CliOutput {
  out(text: string): void;
  err(text: string): void;
}

const stdio: CliOutput = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

function auditVerify(dataDir: string, io: CliOutput): number {
  const { dbFile } = storePaths(dataDir);
  if (!fs.existsSync(dbFile)) {
    io.err(`找不到数据库文件：${dbFile}\n`);
    return 2;
  }
  let db;
  try {
    db = new Database(dbFile, { readonly: true, fileMustExist: true });
    const r = verifyAuditChain(db);
    if (r.ok) {
      io.out(`审计链完整：共 ${r.checked} 条记录，逐条核对哈希无误。（${dbFile}）\n`);
      return 0;
    }
    io.out(`审计链已断开：第 ${r.firstBroken!.seq} 条记录——${r.firstBroken!.reason}。此前 ${r.checked} 条完好。（${dbFile}）\n`);
    return 1;
  } catch (e) {
    io.err(`无法读取数据库：${(e as Error).message}\n`);
    return 2;
  } finally {
    db?.close();
  }
}

export const USAGE = '用法：audit-verify|bundle-export|bundle-import|transfer-setup|transfer-card|transfer-pair [--data-dir 目录] …（见 docs/transfer.md）\n';

/** Runs one command; resolves its exit code. */
export async function runCli(args: readonly string[], io: CliOutput = stdio): Promise<number> {
  const [command, ...rest] = args;
  const { values } = parseArgs({ args: rest, options: { 'data-dir': { type: 'string' } }, strict: false });
  let dataDir: string;
  try {
    dataDir = resolveDataDir(values['data-dir'] as string | undefined).dir;
  } catch (e) {
    io.err(`${e instanceof DataDirConflictError ? e.userMessage : (e as Error).message}\n`);
    return 2;
  }
  if (command === 'audit-verify') return auditVerify(dataDir, io);
  // Imports flush many files in parallel (libuv's pool; read when first used).
  process.env.UV_THREADPOOL_SIZE ??= '16';
  if (command && TRANSFER_COMMANDS.includes(command)) return runTransferCli(command, [...rest], dataDir);
  io.err(USAGE);
  return 2;
}
