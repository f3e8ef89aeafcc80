import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import type { AuditVerifyResult } from '../../../shared/ipc/contract';
import { listAudit } from './audit-list';

export function createAuditService(deps: Deps, dbFile: string, dataDir: string): PartialHandlers {
  return {
    'audit.list': (input) => listAudit(deps.db, input),

    // The walk reads the whole log: it runs on its own read-only connection in a worker thread.
    'audit.verify': async (_input, ctx) => {
      const result = await deps.runInWorker<AuditVerifyResult>('audit.verify', { dbFile, dataDir });
      deps.write(ctx.actor, (w) =>
        w.audit({
          action: 'audit.verify',
          detail: { ok: result.ok, checked: result.checked, firstBroken: result.firstBroken?.seq ?? null, backwardTimes: result.backwardTimes.count },
        }),
      );
      return result;
    },
  };
}
