import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/temp';

/**
 * The case is one module: nothing in electron/ outside electron/services/cases/ writes a case's
 * status, revision or due date (`UPDATE cases SET …`, `revision = revision …`). A plain text scan,
 * no helper from the code under test.
 */
const CASE_MODULE = path.join(ROOT, 'electron', 'services', 'cases') + path.sep;
const FORBIDDEN = [/UPDATE\s+cases\s+SET/i, /revision\s*=\s*revision/i];

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : sources(p);
    return /\.(ts|tsx|mts|cts|js|mjs|cjs|sql)$/.test(e.name) ? [p] : [];
  });
}

function offenders(files: string[]): string[] {
  const found: string[] = [];
  for (const f of files) {
    if (f.startsWith(CASE_MODULE)) continue;
    fs.readFileSync(f, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (FORBIDDEN.some((re) => re.test(line))) found.push(`${path.relative(ROOT, f)}:${i + 1}: ${line.trim()}`);
      });
  }
  return found;
}

describe('case status and revision are written in one module', () => {
  it('no UPDATE cases SET / revision = revision outside electron/services/cases/', () => {
    const files = sources(path.join(ROOT, 'electron'));
    expect(files.length).toBeGreaterThan(50);
    expect(offenders(files)).toEqual([]);
  });

  it('the case module itself is found by the scan (the scan looks where the writes are)', () => {
    const inModule = sources(CASE_MODULE).filter((f) => FORBIDDEN.some((re) => re.test(fs.readFileSync(f, 'utf8'))));
    expect(inModule.map((f) => path.basename(f))).toEqual(['case-state.ts']);
  });
});
