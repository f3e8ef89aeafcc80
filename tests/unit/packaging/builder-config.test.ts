/**
 * electron-builder.yml checked against electron-builder's own JSON schema (app-builder-lib's
 * scheme.json, with ajv — both installed with electron-builder and ESLint), and the packaging
 * decisions it must keep: the deb only for Linux with the custom afterInstall, NSIS per-machine,
 * native modules outside the asar, the fuse hook.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/temp';

const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
type Validate = ((data: unknown) => boolean) & { errors?: { dataPath: string; message: string }[] | null };
const Ajv = require('ajv') as new (opts: Record<string, unknown>) => { compile(schema: unknown): Validate };

const config = yaml.load(fs.readFileSync(path.join(ROOT, 'electron-builder.yml'), 'utf8')) as Record<string, Record<string, unknown>>;
const validate = new Ajv({ allErrors: true }).compile(JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules/app-builder-lib/scheme.json'), 'utf8')));

describe('electron-builder.yml', () => {
  it('is valid for electron-builder', () => {
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
  });
  it('the schema check can fail (a misspelt key is refused)', () => {
    expect(validate({ ...config, deb: { afterInstal: 'x' } })).toBe(false);
  });
  it('Linux: the deb only, x64 and arm64, with the afterInstall that makes chrome-sandbox 4755', () => {
    expect(config.linux!.target).toEqual([{ target: 'deb', arch: ['x64', 'arm64'] }]);
    expect(config.deb!.afterInstall).toBe('build/linux/after-install.sh');
    expect(fs.existsSync(path.join(ROOT, 'build/linux/after-install.sh'))).toBe(true);
  });
  it('Windows: an assisted NSIS installer, always per-machine', () => {
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: true });
  });
  it('native modules outside the asar; fuses flipped after packing', () => {
    expect(config.asarUnpack).toContain('**/*.node');
    expect(config.afterPack).toBe('./build/afterPack.cjs');
  });
});
