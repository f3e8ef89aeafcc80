import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { clearDraft, draftDb, loadDraft, saveDraft } from '../../renderer/src/drafts/draft-db';

describe('form drafts (Dexie)', () => {
  it('keeps one draft per user and form, and returns the latest', async () => {
    await saveDraft('zhangmin', 'applicant.new', { name: '王' });
    await saveDraft('zhangmin', 'applicant.new', { name: '王小丫' });
    await saveDraft('liuyang', 'applicant.new', { name: '别人的' });
    expect((await loadDraft('zhangmin', 'applicant.new'))?.data).toEqual({ name: '王小丫' });
    expect((await loadDraft('liuyang', 'applicant.new'))?.data).toEqual({ name: '别人的' });
    expect(await loadDraft('chenjing', 'applicant.new')).toBeUndefined();
  });

  it('survives closing and reopening the database (what a restart does)', async () => {
    await saveDraft('zhangmin', 'survive', { phone: '13972812345' });
    draftDb.close();
    await draftDb.open();
    expect((await loadDraft('zhangmin', 'survive'))?.data).toEqual({ phone: '13972812345' });
  });

  it('clears only the named draft', async () => {
    await saveDraft('zhangmin', 'a', { x: 1 });
    await saveDraft('zhangmin', 'b', { x: 2 });
    await clearDraft('zhangmin', 'a');
    expect(await loadDraft('zhangmin', 'a')).toBeUndefined();
    expect((await loadDraft('zhangmin', 'b'))?.data).toEqual({ x: 2 });
  });
});
