/**
 * scripts/check-native.mjs: a .node file's architecture and highest GLIBC version, checked
 * against the better-sqlite3 binary in node_modules and readelf's own reading of it, and against
 * hand-made PE headers.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareVersions, inspectNative, problems } from '../../../scripts/check-native.mjs';
import { ROOT } from '../../helpers/temp';

const NODE_FILE = path.join(ROOT, 'node_modules/better-sqlite3/build/Release/better_sqlite3.node');
const readelf = spawnSync('readelf', ['-V', '-W', NODE_FILE], { encoding: 'utf8' });
const haveReadelf = readelf.status === 0;
if (!haveReadelf) console.log('check-native: readelf not installed (binutils); the GLIBC reading is compared with hand values only');

/** readelf's answer: the highest GLIBC_x.y in the version-needs section. */
function readelfMaxGlibc(): string {
  const needs = readelf.stdout.slice(readelf.stdout.indexOf('.gnu.version_r'));
  const versions = [...needs.matchAll(/Name: GLIBC_(\d+(?:\.\d+)+)/g)].map((m) => m[1]!);
  return versions.sort(compareVersions).at(-1)!;
}

function peHeader(machine: number): Buffer {
  const buf = Buffer.alloc(0x100);
  buf.write('MZ', 0, 'latin1');
  buf.writeUInt32LE(0x80, 0x3c);
  buf.write('PE\0\0', 0x80, 'latin1');
  buf.writeUInt16LE(machine, 0x84);
  return buf;
}

describe('check-native', () => {
  it('compares versions numerically', () => {
    expect(compareVersions('2.28', '2.3')).toBe(1);
    expect(compareVersions('2.17', '2.28')).toBe(-1);
    expect(compareVersions('2.28', '2.28.0')).toBe(0);
  });

  it('reads the better-sqlite3 binary of this machine: ELF, this CPU, the same GLIBC as readelf', () => {
    const info = inspectNative(fs.readFileSync(NODE_FILE));
    expect(info.format).toBe('elf');
    expect(info.arch).toBe(process.arch);
    expect(info.glibc).toMatch(/^2\.\d+$/);
    if (haveReadelf) expect(info.glibc).toBe(readelfMaxGlibc());
  });

  it('the command exits 1 naming a binary built on a newer glibc than asked, 0 when within', () => {
    const info = inspectNative(fs.readFileSync(NODE_FILE));
    const older = spawnSync(process.execPath, ['scripts/check-native.mjs', NODE_FILE, '--arch', process.arch, '--max-glibc', '2.17'], { cwd: ROOT, encoding: 'utf8' });
    expect(older.status).toBe(1);
    expect(older.stderr).toContain(`needs GLIBC_${info.glibc}, newer than 2.17`);
    const within = spawnSync(process.execPath, ['scripts/check-native.mjs', NODE_FILE, '--arch', process.arch, '--max-glibc', '2.99'], { cwd: ROOT, encoding: 'utf8' });
    expect(within.status).toBe(0);
    expect(JSON.parse(within.stdout)).toEqual({ file: NODE_FILE, format: 'elf', arch: process.arch, glibc: info.glibc });
    const wrongArch = spawnSync(process.execPath, ['scripts/check-native.mjs', NODE_FILE, '--arch', process.arch === 'x64' ? 'arm64' : 'x64'], { cwd: ROOT, encoding: 'utf8' });
    expect(wrongArch.status).toBe(1);
    expect(wrongArch.stderr).toContain(`built for ${process.arch}`);
  });

  it('reads Windows PE machines', () => {
    expect(inspectNative(peHeader(0x8664))).toEqual({ format: 'pe', arch: 'x64', glibc: null });
    expect(inspectNative(peHeader(0xaa64))).toEqual({ format: 'pe', arch: 'arm64', glibc: null });
    expect(problems({ format: 'pe', arch: 'arm64', glibc: null }, { arch: 'x64', maxGlibc: '2.28' })).toEqual(['built for arm64, expected x64']);
  });

  it('refuses what is neither', () => {
    expect(() => inspectNative(Buffer.from('#!/bin/sh\necho not a binary\n'.repeat(10)))).toThrow('not an ELF or PE file');
    const r = spawnSync(process.execPath, ['scripts/check-native.mjs', path.join(ROOT, 'package.json')], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
  });
});
