import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import { ConnectorFailure } from '../sync/http-connector';
import type { HubTargetConfig } from '../sync/targets-config';
import { readDeskCard } from '../transfer/desk-keys';
import { deskSchemaVersion, HubConnector } from './hub-connector';
import { maskIdNumber } from '../../../shared/rules/id-number';
import { maskUscc } from '../../../shared/rules/uscc';
import { CASE_STATUS_LABELS, type CaseStatus } from '../../../shared/rules/case-states';
import type { HallCaseView } from '../../../shared/ipc/methods/hall-cases';

/**
 * Cases across windows (docs/hub.md, "Records, owners and offline"): a clerk looks up any case of
 * the hall by its number, or an applicant's cases at every window, from the hub's copy of each
 * desk's latest case record (hub/hall-cases.ts). Read-only: the answer is shown, nothing is written
 * but the audit entry of the lookup (IDs masked).
 */

export interface HubCase {
  caseNo: string;
  deskId: string;
  deskName: string;
  receivedAt: string;
  document: {
    status?: string;
    acceptedAt?: string | null;
    applicant?: { name?: string; idType?: string; idNumber?: string };
    items?: { name?: string }[];
    certificates?: { name?: string; methodLabel?: string; state?: string }[];
  };
}

const maskId = (idType: string, idNumber: string) => (idType === 'uscc' ? maskUscc(idNumber) : maskIdNumber(idNumber));

export function toView(c: HubCase, ownDesk: string | null): HallCaseView {
  const d = c.document;
  const status = d.status ?? '';
  return {
    caseNo: c.caseNo,
    window: c.deskName,
    own: c.deskId === ownDesk,
    status,
    statusLabel: CASE_STATUS_LABELS[status as CaseStatus] ?? status,
    applicantName: d.applicant?.name ?? '',
    applicantIdMasked: d.applicant?.idType && d.applicant.idNumber ? maskId(d.applicant.idType, d.applicant.idNumber) : '',
    items: (d.items ?? []).map((i) => i.name ?? ''),
    certificates: (d.certificates ?? []).map((x) => ({ name: x.name ?? '', methodLabel: x.methodLabel ?? '', state: x.state ?? '' })),
    acceptedAt: d.acceptedAt ?? null,
    updatedAt: c.receivedAt,
  };
}

export function createHallCasesService(deps: Deps, hubTargets: () => readonly HubTargetConfig[], dataDir: string, timeoutMs: number): PartialHandlers {
  return {
    'hub.lookupCases': async (input, ctx) => {
      const t = hubTargets()[0];
      if (!t) throw new AppError('INVALID_STATE', '本工作台未配置全厅中心，只能查询本窗口的办件。');
      let query: string;
      let audit: Record<string, unknown>;
      if ('caseNo' in input) {
        query = `caseNo=${encodeURIComponent(input.caseNo)}`;
        audit = { caseNo: input.caseNo };
      } else {
        const a = deps.db.prepare('SELECT id_type, id_number FROM applicants WHERE id = ?').get(input.applicantId) as { id_type: string; id_number: string } | undefined;
        if (!a) throw new AppError('NOT_FOUND', '该申请人不存在。');
        query = `idType=${encodeURIComponent(a.id_type)}&idNumber=${encodeURIComponent(a.id_number)}`;
        audit = { applicantId: input.applicantId };
      }
      const hub = new HubConnector(t, dataDir, deskSchemaVersion(deps.db), timeoutMs, deps.now);
      let cases: HubCase[];
      try {
        const r = await hub.request('GET', `/v1/hall/cases?${query}`);
        if (r.status !== 200) hub.fail(r);
        cases = (r.json as { cases: HubCase[] }).cases;
      } catch (e) {
        if (e instanceof ConnectorFailure) throw new AppError('UNAVAILABLE', `无法从全厅中心查询其他窗口的办件：${e.message}`);
        throw e;
      }
      const own = readDeskCard(dataDir)?.deskId ?? null;
      deps.write(ctx.actor, (w) => w.audit({ action: 'hub.caseLookup', entityType: 'case', entityId: null, detail: { ...audit, found: cases.map((c) => c.caseNo) } }));
      return { hubName: t.name, cases: cases.map((c) => toView(c, own)) };
    },
  };
}
