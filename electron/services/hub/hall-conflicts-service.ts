import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import { ConnectorFailure } from '../sync/http-connector';
import type { HubTargetConfig } from '../sync/targets-config';
import type { HallConflictView } from '../../../shared/ipc/methods/hall-records';
import { maskIdNumber } from '../../../shared/rules/id-number';
import { maskUscc } from '../../../shared/rules/uscc';
import { maskPhone } from '../../../shared/rules/phone';
import { deskSchemaVersion, HubConnector, type HubConflict } from './hub-connector';
import type { ApplicantBody } from './hall-applicants';

/**
 * The supervisor's list of conflicts of shared hall records, and their settlement (docs/hub.md):
 * both asked of the hub (signed requests), so they need it reachable; the settlement is recorded in
 * this desk's audit log under the supervisor, and in the hub's audit with the supervisor's name.
 */

const KIND_LABELS = { applicant: '申请人', credit: '信用记录' } as const;
const SIGNER_ROLES: Record<string, string> = { legal_rep: '法定代表人', agent: '经办人' };

const maskId = (idType: string, idNumber: string) => (idType === 'uscc' ? maskUscc(idNumber) : maskIdNumber(idNumber));

/** An applicant version as the supervisor compares it: IDs and phones masked, as everywhere on screen. */
function applicantFields(b: ApplicantBody): { label: string; value: string }[] {
  return [
    { label: b.kind === 'organisation' ? '单位名称' : '姓名', value: b.name },
    { label: '联系电话', value: maskPhone(b.phone) },
    { label: '地址', value: b.address ?? '（未登记）' },
    ...(b.kind === 'organisation'
      ? [{ label: '签署人', value: b.signerName ? `${SIGNER_ROLES[b.signerRole ?? ''] ?? ''} ${b.signerName}（${maskIdNumber(b.signerIdNumber ?? '')}，${maskPhone(b.signerPhone ?? '')}）` : '（未登记）' }]
      : []),
  ];
}

function toView(k: HubConflict): HallConflictView {
  const first = k.versions[0]?.body as ApplicantBody | undefined;
  return {
    id: k.id,
    kind: k.kind,
    kindLabel: KIND_LABELS[k.kind],
    title: first ? `${first.name}（${maskId(first.idType, first.idNumber)}）` : k.recordId,
    openedAt: k.openedAt,
    versions: k.versions.map((v) => ({
      version: v.version,
      deskId: v.deskId,
      deskName: v.deskName,
      receivedAt: v.receivedAt,
      current: v.current,
      fields: k.kind === 'applicant' ? applicantFields(v.body as ApplicantBody) : [{ label: '内容', value: JSON.stringify(v.body) }],
    })),
  };
}

export function createHallConflictsService(deps: Deps, hubTargets: () => readonly HubTargetConfig[], dataDir: string, timeoutMs: number): PartialHandlers {
  const connector = () => {
    const t = hubTargets()[0];
    if (!t) throw new AppError('INVALID_STATE', '本工作台未配置全厅中心，没有全厅数据冲突。');
    return new HubConnector(t, dataDir, deskSchemaVersion(deps.db), timeoutMs, deps.now);
  };
  const unreachable = (e: unknown): never => {
    if (e instanceof ConnectorFailure) throw new AppError('UNAVAILABLE', `无法从全厅中心取得冲突：${e.message}`);
    throw e;
  };
  return {
    'hub.conflicts': async () => {
      const c = connector();
      const list = await c.conflicts().catch(unreachable);
      return { hubName: c.target.name, conflicts: list.map(toView) };
    },

    'hub.settleConflict': async ({ conflictId, version }, ctx) => {
      const c = connector();
      const by = `${ctx.user!.displayName}（${ctx.user!.username}）`;
      let r: { conflictId: number; version: number; chosenVersion: number };
      try {
        r = await c.settleConflict(conflictId, version, by);
      } catch (e) {
        // The hub's refusal (already settled by someone else, a version not in the conflict) in its words.
        if (e instanceof ConnectorFailure && (e.failure.kind === 'rejected' || (e.failure.kind === 'retry' && e.failure.status === 409))) throw new AppError('CONFLICT', e.message);
        return unreachable(e);
      }
      deps.write(ctx.actor, (w) =>
        w.audit({ action: 'hub.conflictSettled', entityType: 'hall_conflict', entityId: conflictId, detail: { hub: c.target.id, chosenVersion: version, newVersion: r.version } }),
      );
      return { conflictId: r.conflictId, version: r.version };
    },
  };
}
