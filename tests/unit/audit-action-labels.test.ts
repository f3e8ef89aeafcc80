import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTION_LABELS } from '../../shared/domain/audit-actions';

/** Every audit action the main side writes as a literal (`action: 'x.y'`), read from the source. */
function actionsInSource(dir: string, out = new Set<string>()): Set<string> {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) actionsInSource(p, out);
    else if (e.name.endsWith('.ts')) for (const m of fs.readFileSync(p, 'utf8').matchAll(/action: '([a-zA-Z]+\.[a-zA-Z.]+)'/g)) out.add(m[1]!);
  }
  return out;
}

describe('audit action labels (issue 16: the audit log showed untranslated keys)', () => {
  it('every action the desk writes has a Chinese label', () => {
    const actions = actionsInSource(path.join(__dirname, '..', '..', 'electron'));
    expect(actions.size).toBeGreaterThan(90);
    expect([...actions].filter((a) => !AUDIT_ACTION_LABELS[a])).toEqual([]);
    for (const a of actions) expect(AUDIT_ACTION_LABELS[a], a).toMatch(/[\u4e00-\u9fff]/);
  });
});
