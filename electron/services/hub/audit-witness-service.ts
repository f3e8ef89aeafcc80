import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import type { WitnessDeskView, WitnessVerdictView } from '../../../shared/ipc/methods/audit-witness';
import { readDeskCard } from '../transfer/desk-keys';
import { hubAdminRequest, type HubServiceContext } from './hub-service';

/**
 * The supervisor's 审计见证 (docs/audit-checkpoints.md, "Witnessed by the hub"): what the hub
 * witnessed of every desk's audit log, and 核验 of one desk's chain at the hub — signed admin
 * requests carrying the signed-in supervisor (hub/audit-witness.ts writes each to hub_audit); each
 * verification is also written to this desk's audit log with its verdict.
 */
export function createAuditWitnessService(deps: Deps, ctx: Pick<HubServiceContext, 'targets' | 'dataDir'>): PartialHandlers {
  return {
    'hub.audit.desks': async (_input, c) => {
      const { target, json } = await hubAdminRequest(deps, ctx, '/v1/admin/audit/desks', c.user!, {});
      const me = readDeskCard(ctx.dataDir)?.deskId;
      const desks = (json as { desks: Omit<WitnessDeskView, 'self'>[] }).desks;
      return { hubName: target.name, desks: desks.map((d) => ({ ...d, self: d.deskId === me })) };
    },

    'hub.audit.verify': async ({ deskId }, c) => {
      const { target, json } = await hubAdminRequest(deps, ctx, '/v1/admin/audit/verify', c.user!, { deskId });
      const v = json as WitnessVerdictView;
      deps.write(c.actor, (w) =>
        w.audit({ action: 'hub.auditVerified', entityType: 'hub_desk', entityId: v.deskId, detail: { hub: target.id, name: v.name, verdict: v.verdict, firstSeq: v.firstSeq, message: v.message, entries: v.entries } }),
      );
      return v;
    },
  };
}
