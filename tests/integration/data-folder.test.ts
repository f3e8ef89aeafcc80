/**
 * One data folder for every host and the CLI, with the real processes: the browser host
 * (dist/electron/browser-host.cjs) creates the store in the default folder of a fresh home, and
 * the CLI (dist/electron/cli.cjs) then finds and verifies that very store; an older Electron
 * folder is used in place; two stores are refused by both; a bad desk-config.json stops the host
 * with a Chinese message. Needs `node scripts/build.mjs` (the test setup builds the main bundles).
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../helpers/temp';

const HOST = path.join(ROOT, 'dist/electron/browser-host.cjs');
const CLI = path.join(ROOT, 'dist/electron/cli.cjs');
let home: string;
let env: Record<string, string>;

beforeEach(() => {
  home = tempDir('desk-home-');
  env = { PATH: process.env.PATH ?? '', HOME: home, DESK_DEMO: '0' };
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

const defaultDir = () => path.join(home, '.local/share/proof-free-desk');
const legacyDir = () => path.join(home, '.config/无证明办理工作台/data');

/** Starts the host until its DESK_READY line (or its exit), then stops it with SIGTERM. */
function runHost(args: string[] = []): Promise<{ ready: boolean; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [HOST, '--port', '0', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let ready = false;
    proc.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (!ready && stdout.includes('DESK_READY')) {
        ready = true;
        proc.kill('SIGTERM');
      }
    });
    proc.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    proc.on('exit', (code) => resolve({ ready, code, stdout, stderr }));
  });
}

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8' });

describe('one data folder', () => {
  it('the store the browser host creates in a fresh home is the one the CLI verifies', async () => {
    const host = await runHost();
    expect(host.ready, host.stderr).toBe(true);
    expect(host.stdout).toContain(`数据目录 ${defaultDir()}`);
    expect(fs.existsSync(path.join(defaultDir(), 'desk.sqlite'))).toBe(true);
    const r = cli('audit-verify');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`（${path.join(defaultDir(), 'desk.sqlite')}）`);
  });

  it('an older Electron folder alone is used in place by the host and the CLI', async () => {
    expect((await runHost(['--data-dir', legacyDir()])).ready).toBe(true);
    const host = await runHost();
    expect(host.stdout).toContain(`数据目录 ${legacyDir()}`);
    expect(fs.existsSync(path.join(defaultDir(), 'desk.sqlite'))).toBe(false);
    const r = cli('audit-verify');
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(legacyDir());
  });

  it('two stores: the host and the CLI refuse, naming both, and touch neither', async () => {
    expect((await runHost(['--data-dir', legacyDir()])).ready).toBe(true);
    expect((await runHost(['--data-dir', defaultDir()])).ready).toBe(true);
    const before = [fs.statSync(path.join(legacyDir(), 'desk.sqlite')).mtimeMs, fs.statSync(path.join(defaultDir(), 'desk.sqlite')).mtimeMs];
    const host = await runHost();
    expect(host.ready).toBe(false);
    expect(host.code).toBe(1);
    expect(host.stderr).toContain('本机有两个工作台数据目录');
    expect(host.stderr).toContain(legacyDir());
    const r = cli('audit-verify');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(defaultDir());
    expect(r.stderr).toContain(legacyDir());
    // An explicit folder is still allowed.
    expect(cli('audit-verify', '--data-dir', defaultDir()).status).toBe(0);
    expect([fs.statSync(path.join(legacyDir(), 'desk.sqlite')).mtimeMs, fs.statSync(path.join(defaultDir(), 'desk.sqlite')).mtimeMs]).toEqual(before);
  });

  it('a bad desk-config.json stops the host with a Chinese message naming the field', async () => {
    fs.mkdirSync(defaultDir(), { recursive: true });
    fs.writeFileSync(path.join(defaultDir(), 'desk-config.json'), '{"cameraVendorUrl":"127.0.0.1:38088"}');
    const host = await runHost();
    expect(host.ready).toBe(false);
    expect(host.code).toBe(1);
    expect(host.stderr).toContain('高拍仪厂商服务地址（cameraVendorUrl）必须是以 http:// 或 https:// 开头的完整地址');
    expect(fs.existsSync(path.join(defaultDir(), 'desk.sqlite'))).toBe(false);
  });
});
