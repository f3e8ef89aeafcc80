import { ESLint } from 'eslint';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/temp';

/** Proves the lint rules that keep the process boundaries fail on a violation (the lint step then fails the build). */
const eslint = new ESLint({ cwd: ROOT });

async function errors(code: string, file: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return result!.messages.filter((m) => m.severity === 2).map((m) => m.message);
}

describe('process boundaries', () => {
  it.each([
    ["import fs from 'node:fs';\nexport const x = fs;", 'shared/rules/bad.ts', 'no Node'],
    ["import path from 'path';\nexport const x = path;", 'shared/rules/bad.ts', 'no Node'],
    ["import { app } from 'electron';\nexport const x = app;", 'shared/rules/bad.ts', 'no Electron'],
    ["import { createApp } from '../../electron/app/create-app';\nexport const x = createApp;", 'shared/rules/bad.ts', 'imports only zod'],
    ['export const w = window.location;', 'shared/rules/bad.ts', 'window'],
    ['export const p = process.env;', 'shared/rules/bad.ts', 'process'],
    ["import fs from 'node:fs';\nexport const x = fs;", 'renderer/src/bad.ts', 'no Node'],
    ["import { ipcRenderer } from 'electron';\nexport const x = ipcRenderer;", 'renderer/src/bad.ts', 'IPC client'],
    ["import { openStore } from '../../electron/store/open-store';\nexport const x = openStore;", 'renderer/src/bad.ts', 'IPC client'],
    ["import { app } from 'electron';\nexport const x = app;", 'electron/services/bad.ts', 'Only electron/main.ts'],
    ["import { useDesk } from '../../renderer/src/state/desk-store';\nexport const x = useDesk;", 'electron/services/bad.ts', 'never imports renderer'],
  ])('refuses %j in %s', async (code, file, expected) => {
    const msgs = await errors(code, file);
    expect(msgs.join('\n')).toContain(expected);
  });

  it('lets the Electron shell files import Electron, and shared/ import zod', async () => {
    expect(await errors("import { app } from 'electron';\nexport const x = app;", 'electron/main.ts')).toEqual([]);
    expect(await errors("import { z } from 'zod';\nexport const x = z;", 'shared/ipc/ok.ts')).toEqual([]);
  });

  it('type-checks shared/ without DOM or Node types', () => {
    const cfg = JSON.parse(fs.readFileSync(path.join(ROOT, 'shared/tsconfig.json'), 'utf8')) as { compilerOptions: { lib: string[]; types: string[] } };
    expect(cfg.compilerOptions.lib).toEqual(['ES2022']);
    expect(cfg.compilerOptions.types).toEqual([]);
  });

  it('every top-level folder has a README', () => {
    for (const dir of ['electron', 'renderer', 'shared', 'migrations', 'build', 'tests', 'bench', 'docs', 'sim']) {
      expect(fs.existsSync(path.join(ROOT, dir, 'README.md')), `${dir}/README.md`).toBe(true);
    }
  });
});
