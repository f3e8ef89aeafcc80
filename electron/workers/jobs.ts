import Database from 'better-sqlite3';
import { verifyAuditChain } from '../services/audit/audit-chain';

/** Jobs that run off the main thread, each on its own connection. */
export const jobs: Record<string, (args: Record<string, unknown>) => unknown> = {
  'audit.verify': (args) => {
    const db = new Database(String(args.dbFile), { readonly: true, fileMustExist: true });
    try {
      return verifyAuditChain(db);
    } finally {
      db.close();
    }
  },
};
