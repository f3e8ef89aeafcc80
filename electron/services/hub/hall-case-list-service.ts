import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import { ConnectorFailure } from '../sync/http-connector';
import type { HubTargetConfig } from '../sync/targets-config';
import { readDeskCard } from '../transfer/desk-keys';
import { chinaDayStartIso } from '../../../shared/rules/china-time';
import { deskSchemaVersion, HubConnector } from './hub-connector';
import { toView, type HubCase } from './hall-cases-service';

/**
 * The supervisor's hall-wide case list (docs/hub.md, "Records, owners and offline"): one page of
 * every window's cases from the hub (hub/hall-case-list.ts), filtered by window, status, accepted
 * dates (China calendar days) and item name, newest first, each with its owning window named — read
 * only, as the single-case lookup (hall-cases-service.ts) shows them. Each page asked is audited
 * (hub.caseList) with its filters and the case numbers shown. With the hub unreachable it is
 * refused in Chinese; the desk's own cases stay listed as always.
 */

const DAY_MS = 86_400_000;

export function createHallCaseListService(deps: Deps, hubTargets: () => readonly HubTargetConfig[], dataDir: string, timeoutMs: number): PartialHandlers {
  return {
    'hub.listHallCases': async (input, ctx) => {
      const t = hubTargets()[0];
      if (!t) throw new AppError('INVALID_STATE', '本工作台未配置全厅中心，只能查看本窗口的办件。');
      if (input.acceptedFrom && input.acceptedTo && input.acceptedFrom > input.acceptedTo) {
        throw new AppError('BAD_INPUT', '受理日期的起始日不能晚于截止日。', {}, { acceptedFrom: '起始日晚于截止日' });
      }
      const q = new URLSearchParams();
      if (input.window) q.set('window', input.window);
      if (input.status) q.set('status', input.status);
      if (input.acceptedFrom) q.set('acceptedFrom', chinaDayStartIso(input.acceptedFrom));
      // Through the end of the last day: before the next day begins.
      if (input.acceptedTo) q.set('acceptedTo', new Date(Date.parse(chinaDayStartIso(input.acceptedTo)) + DAY_MS).toISOString());
      if (input.item) q.set('item', input.item);
      if (input.after) q.set('after', input.after);
      q.set('limit', String(input.pageSize ?? 20));
      const hub = new HubConnector(t, dataDir, deskSchemaVersion(deps.db), timeoutMs, deps.now);
      let page: { cases: HubCase[]; next: string | null; windows?: { deskId: string; name: string }[] };
      try {
        const r = await hub.request('GET', `/v1/hall/case-list?${q.toString()}`);
        if (r.status !== 200) hub.fail(r);
        page = r.json as typeof page;
      } catch (e) {
        if (e instanceof ConnectorFailure) throw new AppError('UNAVAILABLE', `无法从全厅中心取得全厅办件列表：${e.message}`);
        throw e;
      }
      const own = readDeskCard(dataDir)?.deskId ?? null;
      const { after, ...filters } = input;
      deps.write(ctx.actor, (w) =>
        w.audit({ action: 'hub.caseList', entityType: 'case', entityId: null, detail: { filters, page: after ? 'next' : 'first', shown: page.cases.map((c) => `${c.deskId}/${c.caseNo}`) } }),
      );
      return { hubName: t.name, cases: page.cases.map((c) => toView(c, own)), next: page.next, ...(page.windows ? { windows: page.windows } : {}) };
    },
  };
}
