/**
 * build/linux/after-install.sh, rendered the way electron-builder renders a deb script template
 * (the same macro pattern and quoting as app-builder-lib's FpmTarget) and run by bash in a
 * temporary root (DPKG_ROOT, as `dpkg --root` sets it): chrome-sandbox ends root-owned and 4755
 * even when `unshare --user` would succeed, and the executable is linked into /usr/bin.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROOT, tempDir } from '../../helpers/temp';

const PRODUCT = '无证明办理工作台';
const EXE = 'proof-free-desk';
const isRoot = process.getuid?.() === 0;
if (!isRoot) console.log('after-install.sh test skipped: it chowns to root, so it needs to run as root (CI and these machines do)');

/** app-builder-lib's bashSingleQuoteEscape and writeConfigFile's macro replacement. */
function render(template: string, macros: Record<string, string>): string {
  const quote = (v: string) => v.replace(/'/g, "'\\''");
  return template.replace(/\${([a-zA-Z]+)}/g, (_m, name: string) => {
    if (!(name in macros)) throw new Error(`Macro ${name} is not defined`);
    return quote(macros[name]!);
  });
}

let root: string;
let bin: string;
beforeEach(() => {
  root = tempDir('desk-deb-root-');
  bin = tempDir('desk-deb-bin-');
  fs.mkdirSync(path.join(root, 'opt', PRODUCT), { recursive: true });
  fs.mkdirSync(path.join(root, 'usr', 'bin'), { recursive: true });
  fs.writeFileSync(path.join(root, 'opt', PRODUCT, EXE), '#!/bin/sh\n', { mode: 0o755 });
  const sandbox = path.join(root, 'opt', PRODUCT, 'chrome-sandbox');
  fs.writeFileSync(sandbox, 'ELF', { mode: 0o755 });
  if (isRoot) fs.chownSync(sandbox, 65534, 65534);
  // Only the tools the script needs, plus an `unshare` that succeeds: the default script would then pick 0755.
  for (const tool of ['chown', 'chmod', 'ln', 'readlink', 'rm', 'cp']) fs.symlinkSync(spawnSync('bash', ['-c', `command -v ${tool}`]).stdout.toString().trim(), path.join(bin, tool));
  fs.writeFileSync(path.join(bin, 'unshare'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
  fs.rmSync(bin, { recursive: true, force: true });
});

describe('deb after-install', () => {
  it('uses only the macros electron-builder defines', () => {
    const template = fs.readFileSync(path.join(ROOT, 'build/linux/after-install.sh'), 'utf8');
    expect([...new Set(template.match(/\${[a-zA-Z]+}/g))].sort()).toEqual(['${executable}', '${sanitizedProductName}']);
    expect(spawnSync('bash', ['-n', path.join(ROOT, 'build/linux/after-install.sh')]).status).toBe(0);
  });

  it.skipIf(!isRoot)('makes chrome-sandbox root-owned 4755 and links the executable', () => {
    const script = path.join(bin, 'postinst');
    fs.writeFileSync(script, render(fs.readFileSync(path.join(ROOT, 'build/linux/after-install.sh'), 'utf8'), { executable: EXE, sanitizedProductName: PRODUCT }));
    const r = spawnSync('/bin/bash', [script], { env: { PATH: bin, DPKG_ROOT: root }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const st = fs.statSync(path.join(root, 'opt', PRODUCT, 'chrome-sandbox'));
    expect(st.uid).toBe(0);
    expect(st.gid).toBe(0);
    expect((st.mode & 0o7777).toString(8)).toBe('4755');
    expect(fs.readlinkSync(path.join(root, 'usr', 'bin', EXE))).toBe(`/opt/${PRODUCT}/${EXE}`);
  });

  it.skipIf(!isRoot)('fails loudly when chrome-sandbox is missing (no half-installed desk that cannot start)', () => {
    fs.rmSync(path.join(root, 'opt', PRODUCT, 'chrome-sandbox'));
    const script = path.join(bin, 'postinst');
    fs.writeFileSync(script, render(fs.readFileSync(path.join(ROOT, 'build/linux/after-install.sh'), 'utf8'), { executable: EXE, sanitizedProductName: PRODUCT }));
    const r = spawnSync('/bin/bash', [script], { env: { PATH: bin, DPKG_ROOT: root }, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('chrome-sandbox');
  });
});
