/**
 * One host per data folder (electron/store/data-dir-lock.ts), with real processes: the built
 * browser host twice on one folder, kill -9, the command-line tools beside a running host, and a
 * host starting during a command-line import (it must not sweep the import's files).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HOST_BUNDLE, ROOT, startHost, type RunningHost } from '../e2e/support/host';
import { tempDir } from '../helpers/temp';
import { testDesk } from '../helpers/app';
import { DataDirLocked, holderFile, holdImportGuard } from '../../electron/store/data-dir-lock';
import { startFailureNotice, START_FAILURE_TITLE } from '../../electron/app/start-failure';

const CLI = path.join(ROOT, 'dist', 'electron', 'cli.cjs');

/** Runs a process to its end; its exit code and everything it printed. */
function run(file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [file, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    p.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    p.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const hosts: RunningHost[] = [];
afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.kill('SIGKILL')));
});

describe('one host per data folder', () => {
  it('refuses a second browser host on the same folder, naming the first; after kill -9 of the first a new one starts', async () => {
    const dataDir = tempDir('desk-lock-');
    const first = await startHost({ dataDir });
    hosts.push(first);
    const firstPid = first.proc.pid!;

    const second = await run(HOST_BUNDLE, ['--data-dir', dataDir, '--port', '0']);
    expect(second.code).toBe(1);
    expect(second.stdout).not.toContain('DESK_READY');
    // One Chinese line naming the holder: its kind, this computer, its pid; no English stack.
    const lines = second.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`数据目录 ${dataDir} 已被另一个工作台占用（浏览器模式，本机进程号 ${firstPid}，自 `);
    expect(lines[0]).toContain('同一数据目录同一时间只能由一个工作台打开');
    expect(lines[0]).toContain(`可结束进程 ${firstPid}`);
    expect(second.stderr).not.toMatch(/Error|at .*\.cjs/);
    // The refused host wrote nothing of its own: the holder on record is still the first.
    expect(JSON.parse(fs.readFileSync(holderFile(dataDir), 'utf8'))).toMatchObject({ pid: firstPid, kind: 'browser-host', host: os.hostname() });

    // kill -9: the OS drops the lock with the process.
    await first.kill('SIGKILL');
    const third = await startHost({ dataDir });
    hosts.push(third);
    expect(third.state).toBe('ready');
    expect(JSON.parse(fs.readFileSync(holderFile(dataDir), 'utf8'))).toMatchObject({ pid: third.proc.pid, kind: 'browser-host' });
  });

  it('beside a running host the command-line tools run: audit-verify reads, bundle-import does its work', async () => {
    const dataDir = tempDir('desk-lock-cli-');
    const host = await startHost({ dataDir });
    hosts.push(host);

    const verify = await run(CLI, ['audit-verify', '--data-dir', dataDir]);
    expect(verify.stdout).toContain('审计链完整');
    expect(verify.code).toBe(0);

    // Not refused for the running desk: it answers about the (empty) folder it was given.
    const imp = await run(CLI, ['bundle-import', '--from', tempDir('desk-lock-inbox-'), '--data-dir', dataDir]);
    expect(imp.stderr).toContain('目录中没有交换包');
    expect(imp.code).toBe(1);
  });

  it("a host starting while a command-line import runs leaves the import's files alone; the next start sweeps real orphans", async () => {
    const dataDir = tempDir('desk-lock-guard-');
    (await testDesk({ dataDir, sync: false })).app.close();
    // A file an import has placed and not yet committed (to the store, an orphan).
    const sha = 'ab'.padEnd(64, '0');
    const placed = path.join(dataDir, 'files', 'ab', sha);
    fs.mkdirSync(path.dirname(placed), { recursive: true });
    fs.writeFileSync(placed, 'placed by an import in progress');
    // This test process stands in for the running bundle-import (cli.ts holds the same guard).
    const cli = holdImportGuard(dataDir, { command: 'bundle-import' });
    try {
      const host = await startHost({ dataDir });
      expect(host.state).toBe('ready');
      await host.kill('SIGTERM');
      expect(fs.existsSync(placed)).toBe(true);
      expect(fs.readFileSync(path.join(dataDir, 'logs', 'desk.log'), 'utf8')).toContain('"event":"files.sweepSkipped"');
    } finally {
      cli.release();
    }
    // The import is over (had it committed, the file would have its row): now it is an orphan.
    const host = await startHost({ dataDir });
    hosts.push(host);
    expect(fs.existsSync(placed)).toBe(false);
    expect(fs.readFileSync(path.join(dataDir, 'logs', 'desk.log'), 'utf8')).toContain('"event":"files.orphansRemoved"');
  });

  it('in one process too: a second app on the folder is refused until the first closes (also in recovery mode)', async () => {
    const dataDir = tempDir('desk-lock-inproc-');
    const a = await testDesk({ dataDir, sync: false });
    const refusal = await testDesk({ dataDir, sync: false }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(DataDirLocked);
    expect((refusal as DataDirLocked).holder).toMatchObject({ pid: process.pid, kind: 'in-process' });
    a.app.close();
    const b = await testDesk({ dataDir, sync: false });
    b.app.close();

    // A store refused at start (recovery mode) still holds the folder, and close() gives it back.
    fs.writeFileSync(path.join(dataDir, 'desk.sqlite'), 'not a database, 32 bytes long...');
    const recovery = await testDesk({ dataDir, sync: false });
    expect(recovery.app.state).toBe('recovery');
    await expect(testDesk({ dataDir, sync: false })).rejects.toBeInstanceOf(DataDirLocked);
    recovery.app.close();
    const again = await testDesk({ dataDir, sync: false });
    expect(again.app.state).toBe('recovery');
    again.app.close();
  });

  it('a lock file that cannot be used is a clear refusal, and the file is left as it is', async () => {
    const dataDir = tempDir('desk-lock-bad-');
    fs.writeFileSync(path.join(dataDir, 'desk.lock'), 'this is not a SQLite database file at all');
    const r = await run(HOST_BUNDLE, ['--data-dir', dataDir, '--port', '0']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `启动失败：无法锁定数据目录：锁文件 ${path.join(dataDir, 'desk.lock')} 无法使用（SQLITE_NOTADB）。请确认本机没有其他工作台在使用该数据目录，并检查该目录的读写权限；若锁文件已损坏，可在确认无工作台运行后将其删除再启动。`,
    ]);
    expect(fs.readFileSync(path.join(dataDir, 'desk.lock'), 'utf8')).toBe('this is not a SQLite database file at all');
    expect(fs.existsSync(path.join(dataDir, 'desk.sqlite'))).toBe(false);
  });

  it("Electron's start-up dialog: the same message, no stack (the decision kept out of main.ts)", () => {
    const holder = { pid: 4242, host: os.hostname(), kind: 'electron' as const, since: '2026-12-06T02:30:00.000Z' };
    const n = startFailureNotice(new DataDirLocked('/srv/desk', holder), { stage: '打开本地数据库', dataDir: '/srv/desk' });
    const lockedText =
      '数据目录 /srv/desk 已被另一个工作台占用（桌面程序，本机进程号 4242，自 2026-12-06 10:30 起）。同一数据目录同一时间只能由一个工作台打开，否则同一办件可能被重复推送。' +
      '请使用已打开的那个工作台，或先将其关闭后再启动；若它已无响应，可结束进程 4242。本次启动已取消。';
    expect(n).toEqual({ known: true, title: START_FAILURE_TITLE, message: lockedText, reason: lockedText });
    // A holder on another computer (a shared folder) is named by that computer; no pid to end here.
    const remote = startFailureNotice(new DataDirLocked('/srv/desk', { ...holder, host: 'window-07' }));
    expect(remote.message).toContain('（桌面程序，计算机“window-07”进程号 4242，自 2026-12-06 10:30 起）');
    expect(remote.message).not.toContain('可结束进程');
    // Anything else is a fault: where it happened, for the administrator.
    const other = startFailureNotice(new Error('EACCES: permission denied'), { stage: '打开本地数据库', dataDir: '/srv/desk' });
    expect(other).toEqual({
      known: false,
      title: START_FAILURE_TITLE,
      message: '启动时发生错误（打开本地数据库），程序将退出。\n\nEACCES: permission denied\n\n数据目录：/srv/desk\n请将以上信息告知系统管理员。',
      reason: 'EACCES: permission denied',
    });
  });
});
