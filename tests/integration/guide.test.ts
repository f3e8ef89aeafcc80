import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';

const hasPdftotext = spawnSync('pdftotext', ['-v']).error === undefined;

describe('printable guide (办事指南)', () => {
  it.skipIf(!hasPdftotext)('lists the materials and every certificate with what the applicant has to do (needs pdftotext from poppler-utils)', async () => {
    const d = await testDesk();
    const s = await d.signIn('zhangmin');
    const item = (await d.call('catalog.listServiceItems', {}, s.token)).find((i) => i.certificates.some((c) => c.method === 'cancelled'))!;
    const pdf = await d.call('catalog.guidePdf', { serviceItemId: item.id }, s.token);
    const file = path.join(tempDir(), 'guide.pdf');
    fs.writeFileSync(file, Buffer.from(pdf.base64, 'base64'));
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain('办事指南');
    expect(text).toContain(item.name);
    expect(text).toContain('申请人有效身份证件');
    for (const c of item.certificates) expect(text.replace(/\s+/g, '')).toContain(c.name.replace(/\s+/g, ''));
    expect(text).toContain('无需提供（已直接取消）');
    expect(pdf.fileName).toBe(`办事指南-${item.name}.pdf`);
  });
});
