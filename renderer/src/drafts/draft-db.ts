import Dexie, { type Table } from 'dexie';

/**
 * Unsent form drafts, kept in IndexedDB so a reload, a renderer crash or a
 * restart of the whole app loses no typing. SQLite in the main process stays
 * the one source of truth: a draft is only what has not been saved yet.
 */
export interface DraftRow {
  /** `${username}:${formId}` — one draft per form per user. */
  key: string;
  owner: string;
  formId: string;
  data: Record<string, unknown>;
  updatedAt: number;
}

class DraftDb extends Dexie {
  drafts!: Table<DraftRow, string>;
  constructor() {
    super('proof-free-desk-drafts');
    this.version(1).stores({ drafts: 'key, owner, updatedAt' });
  }
}

export const draftDb = new DraftDb();

export const draftKey = (owner: string, formId: string) => `${owner}:${formId}`;

export async function loadDraft(owner: string, formId: string): Promise<DraftRow | undefined> {
  return draftDb.drafts.get(draftKey(owner, formId));
}

export async function saveDraft(owner: string, formId: string, data: Record<string, unknown>): Promise<void> {
  await draftDb.drafts.put({ key: draftKey(owner, formId), owner, formId, data, updatedAt: Date.now() });
}

/** Called only after the main side has confirmed the save. */
export async function clearDraft(owner: string, formId: string): Promise<void> {
  await draftDb.drafts.delete(draftKey(owner, formId));
}
