/**
 * scripts/check-fuses.mjs reads fuses with @electron/fuses. No Electron binary here, so a file
 * holding only a fuse wire (the sentinel Electron embeds, version 1, the states) stands in for
 * one; build/afterPack.cjs's own call (flipFuses with build/fuses.cjs) sets it, then the check
 * reads it back — and names a fuse that was not flipped.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkFuses } from '../../../scripts/check-fuses.mjs';
import { ROOT, tempDir } from '../../helpers/temp';

const require = createRequire(import.meta.url);
const { flipFuses, FuseVersion } = require('@electron/fuses') as typeof import('@electron/fuses');
const { DESK_FUSES } = require('../../../build/fuses.cjs') as { DESK_FUSES: Record<number, boolean> };

const SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
let dir: string;
let exe: string;

beforeEach(() => {
  dir = tempDir('desk-fuses-');
  exe = path.join(dir, 'proof-free-desk');
  // Electron's defaults for its 8 V1 fuses: RunAsNode, cookie encryption off, NODE_OPTIONS, --inspect on, …
  const states = Buffer.from('10110000', 'latin1');
  fs.writeFileSync(exe, Buffer.concat([Buffer.alloc(64, 0x90), Buffer.from(SENTINEL, 'latin1'), Buffer.from([1, states.length]), states, Buffer.alloc(64, 0x90)]));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('check-fuses', () => {
  it('an executable as Electron ships it fails, naming every fuse the desk flips', async () => {
    const { wrong } = await checkFuses(exe);
    expect(wrong.sort()).toEqual(
      [
        'RunAsNode is ENABLE, expected DISABLE',
        'EnableNodeCliInspectArguments is ENABLE, expected DISABLE',
        'EnableNodeOptionsEnvironmentVariable is ENABLE, expected DISABLE',
        'EnableCookieEncryption is DISABLE, expected ENABLE',
        'OnlyLoadAppFromAsar is DISABLE, expected ENABLE',
        'EnableEmbeddedAsarIntegrityValidation is DISABLE, expected ENABLE',
      ].sort(),
    );
  });

  it('after afterPack\'s flip the check passes, from the command line too', async () => {
    await flipFuses(exe, { version: FuseVersion.V1, ...DESK_FUSES });
    expect(await checkFuses(exe)).toEqual({
      fuses: {
        RunAsNode: 'DISABLE',
        EnableCookieEncryption: 'ENABLE',
        EnableNodeOptionsEnvironmentVariable: 'DISABLE',
        EnableNodeCliInspectArguments: 'DISABLE',
        EnableEmbeddedAsarIntegrityValidation: 'ENABLE',
        OnlyLoadAppFromAsar: 'ENABLE',
        GrantFileProtocolExtraPrivileges: 'DISABLE',
      },
      wrong: [],
    });
    const r = spawnSync(process.execPath, ['scripts/check-fuses.mjs', exe], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).fuses.RunAsNode).toBe('DISABLE');
  });

  it('a file without a fuse wire exits 2', () => {
    fs.writeFileSync(exe, 'no wire');
    expect(spawnSync(process.execPath, ['scripts/check-fuses.mjs', exe], { cwd: ROOT }).status).toBe(2);
  });
});
