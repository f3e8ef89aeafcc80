import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { FileStore } from '../files/file-store';
import { ConnectorFailure } from '../sync/http-connector';
import type { HubTargetConfig } from '../sync/targets-config';
import { deskSchemaVersion, HubConnector } from './hub-connector';
import { loadTask } from '../verification/task-rows';
import { applyRelayed, emptyRound, issuePackages } from './hall-field-auto';
import { offerRecords, putTakeRecord, takeRecord, takeRecords, type TakeRecord } from './hall-field-state';
import { HALL_TAKE_STATUS, type HallOffer, type HallTake, type HallTakeStatus } from '../../../shared/ipc/methods/hall-field';
import { createFieldService, importFieldPackage } from '../field/field-service';
import { sendFieldKey } from './hall-field-keys';

/**
 * Field work through the hub, the desks' side (docs/hub.md, "Field work through the hub";
 * hub/field-relay.ts). On the owning desk: publish a task, issue the package of whoever took it at
 * the hub (the desk's own lock and checkout key, checkout rule in field-checkout.ts), apply the
 * results the hub relays (once by result id, field-apply.ts) and acknowledge them. On the laptop:
 * take a task (the hub's lock), fetch and import its package, send the sealed result back.
 */

/** A refusal of the hub in its own Chinese words (held by another, assigned to another, not yet issued). */
interface HubRefusal {
  status: number;
  code: string;
  message: string;
}

function refusalOf(r: { status: number; json: unknown }): HubRefusal | null {
  if (r.status !== 404 && r.status !== 409 && r.status !== 422) return null;
  const e = (r.json as { error?: { code?: string; message?: string } } | null)?.error;
  return e?.message ? { status: r.status, code: e.code ?? '', message: e.message } : null;
}

export function createHallFieldService(deps: Deps & { files: FileStore }, hubTargets: () => readonly HubTargetConfig[], dataDir: string, timeoutMs: number): PartialHandlers {
  const field = createFieldService(deps, dataDir);
  const connector = () => {
    const t = hubTargets()[0];
    if (!t) throw new AppError('INVALID_STATE', '本工作台未配置全厅中心，不能经全厅中心办理外勤任务。');
    return new HubConnector(t, dataDir, deskSchemaVersion(deps.db), timeoutMs, deps.now);
  };
  /** One request; the hub's own refusals become the user's error, an unreachable hub says so. */
  const ask = async (c: HubConnector, method: 'GET' | 'POST', p: string, body?: unknown): Promise<{ status: number; json: unknown }> => {
    let r: { status: number; json: unknown };
    try {
      r = await c.request(method, p, body);
    } catch (e) {
      if (e instanceof ConnectorFailure) throw new AppError('UNAVAILABLE', `无法连接全厅中心：${e.message}`);
      throw e;
    }
    if (r.status === 200 || r.status === 201) return r;
    const refusal = refusalOf(r);
    if (refusal) throw new AppError(refusal.status === 404 ? 'NOT_FOUND' : refusal.status === 422 ? 'BAD_INPUT' : 'CONFLICT', refusal.message, { hub: refusal.code });
    try {
      c.fail(r);
    } catch (e) {
      throw new AppError('UNAVAILABLE', `全厅中心未能办理：${(e as Error).message}`);
    }
  };

  const importPackage = async (c: HubConnector, taskKey: string, ctx: Parameters<NonNullable<PartialHandlers['field.import']>>[1]) => {
    const r = await ask(c, 'GET', `/v1/field/package?taskKey=${encodeURIComponent(taskKey)}`);
    const pkg = (r.json as { package?: unknown }).package;
    const work = importFieldPackage(deps, ctx.actor, ctx.user!.displayName, JSON.stringify(pkg));
    deps.write(ctx.actor, (w) => {
      const t = takeRecord(w.db, taskKey);
      if (t && t.packageId !== work.packageId) putTakeRecord(w.db, { ...t, packageId: work.packageId, keySentAt: null });
      w.audit({ action: 'field.fetchedFromHub', entityType: 'field', entityId: taskKey, detail: { packageId: work.packageId, auto: false } });
    });
    // This laptop's key for the package, registered with the task through the hub (hall-field-keys.ts).
    await sendKey(c, taskKey, ctx);
    return work;
  };

  /** Sends the key registration of the task's package if the hub lacks it; the hub's refusal becomes the user's error. */
  const sendKey = async (c: HubConnector, taskKey: string, ctx: Parameters<NonNullable<PartialHandlers['field.import']>>[1]) => {
    let refused: { code: string; message: string } | null;
    try {
      refused = await sendFieldKey(
        deps,
        c,
        (r) => {
          if (r.status === 200 || r.status === 201) return null;
          return refusalOf(r) ?? c.fail(r);
        },
        ctx.actor,
        taskKey,
      );
    } catch (e) {
      if (e instanceof ConnectorFailure) throw new AppError('UNAVAILABLE', `无法连接全厅中心：${e.message}`);
      throw e;
    }
    if (refused) throw new AppError('CONFLICT', refused.message, { hub: refused.code });
  };

  /** Where a task taken at the hub stands on this laptop. */
  const takeView = (t: TakeRecord): HallTake => {
    const work = t.packageId ? (deps.db.prepare('SELECT state FROM field_work WHERE package_id = ?').get(t.packageId) as { state: string } | undefined) : undefined;
    const status: HallTakeStatus = t.releasedAt
      ? 'released'
      : t.appliedAt
        ? 'applied'
        : t.sentResultId
          ? 'sent'
          : work?.state === 'finished'
            ? 'finished'
            : work
              ? 'working'
              : 'taken';
    return { taskKey: t.taskKey, caseNo: t.caseNo, certificate: t.certificate, dueAt: t.dueAt, window: t.window, takenAt: t.takenAt, packageId: t.packageId, status, statusText: HALL_TAKE_STATUS[status] };
  };

  return {
    'field.hallTasks': async (_input, ctx) => {
      const mine = takeRecords(deps.db)
        .filter((t) => t.userId === ctx.user!.id)
        .sort((a, b) => b.takenAt.localeCompare(a.takenAt))
        .map(takeView);
      const t = hubTargets()[0];
      if (!t) return { configured: false, online: false, message: '本工作台未接入全厅中心，外勤任务用任务文件办理。', offers: [], mine };
      const c = new HubConnector(t, dataDir, deskSchemaVersion(deps.db), timeoutMs, deps.now);
      try {
        const r = await c.request('GET', `/v1/field/offers?assistant=${encodeURIComponent(ctx.user!.displayName)}`);
        if (r.status !== 200) c.fail(r);
        const held = new Set(mine.filter((m) => m.status !== 'released').map((m) => m.taskKey));
        const offers = (r.json as { offers: HallOffer[] }).offers.filter((o) => !held.has(o.taskKey));
        return { configured: true, online: true, message: null, offers, mine };
      } catch (e) {
        if (!(e instanceof ConnectorFailure)) throw e;
        return { configured: true, online: false, message: `暂时无法连接全厅中心（${e.message}）。已领取的任务可继续外勤，完成的结果保存在本机，连接恢复后自动回传。`, offers: [], mine };
      }
    },

    'verification.hallFieldStatus': () => {
      const applied = new Set((deps.db.prepare('SELECT DISTINCT task_id FROM field_results_applied').all() as { task_id: number }[]).map((r) => r.task_id));
      return [...offerRecords(deps.db)].map(([taskId, r]) => {
        if (applied.has(taskId)) return { taskId, status: 'applied' as const, text: '结果已应用' };
        if (!r.state.open) return { taskId, status: 'withdrawn' as const, text: '已从全厅撤下（任务已办结）' };
        if (r.holder) return { taskId, status: 'taken' as const, text: `已由${r.holder}领取${r.refused ? `（${r.refused}）` : ''}` };
        return { taskId, status: 'offered' as const, text: '已发布到全厅' };
      });
    },

    'verification.offerToHall': async ({ taskId }, ctx) => {
      const t = loadTask(deps.db, taskId);
      if (t.status !== 'open') throw new AppError('INVALID_STATE', '该核查任务已有结论或不需核查，不能发布到全厅。');
      const c = connector();
      const r = await ask(c, 'POST', '/v1/field/offer', { taskId, caseNo: t.case_no, certificate: t.certificate, dueAt: t.due_at, assignee: t.assigned_name ?? null });
      const taskKey = (r.json as { taskKey: string }).taskKey;
      deps.write(ctx.actor, (w) => w.audit({ action: 'verification.offeredToHall', entityType: 'verification', entityId: taskId, detail: { taskKey, hub: c.target.id, assignee: t.assigned_name ?? null } }));
      return { taskKey };
    },

    'verification.syncHallField': async (_input, ctx) => {
      const c = connector();
      const out = emptyRound();
      const by = { actor: ctx.actor, userId: ctx.user!.id };
      try {
        await issuePackages(deps, c, out, by);
        await applyRelayed(deps, c, out, by);
      } catch (e) {
        if (e instanceof ConnectorFailure) throw new AppError('UNAVAILABLE', `无法连接全厅中心：${e.message}`);
        throw e;
      }
      return { issued: out.issued, applied: out.applied, duplicates: out.duplicates, refused: out.refused };
    },

    'field.takeFromHall': async ({ taskKey }, ctx) => {
      const c = connector();
      const r = await ask(c, 'POST', '/v1/field/take', { taskKey, assistant: ctx.user!.displayName });
      const a = r.json as { holder: string; takenAt: string; caseNo: string; certificate: string; dueAt: string | null; window: string };
      const holder = a.holder;
      deps.write(ctx.actor, (w) => {
        const prior = takeRecord(w.db, taskKey);
        putTakeRecord(w.db, {
          taskKey,
          targetId: c.target.id,
          assistant: holder,
          userId: ctx.user!.id,
          caseNo: a.caseNo,
          certificate: a.certificate,
          dueAt: a.dueAt,
          window: a.window,
          takenAt: a.takenAt,
          // Taken again after the owning desk took it back: a new holding, nothing of the old one carries over.
          ...(prior && !prior.releasedAt
            ? { packageId: prior.packageId, keySentAt: prior.keySentAt ?? null, sentResultId: prior.sentResultId, sentAt: prior.sentAt, appliedAt: prior.appliedAt }
            : { packageId: null, keySentAt: null, sentResultId: null, sentAt: null, appliedAt: null }),
          releasedAt: null,
        });
        w.audit({ action: 'field.takenAtHub', entityType: 'field', entityId: taskKey, detail: { hub: c.target.id, again: r.status === 200 } });
      });
      try {
        return { taskKey, holder, work: await importPackage(c, taskKey, ctx), message: '已领取，外勤任务包已导入本机。' };
      } catch (e) {
        if (e instanceof AppError && e.code === 'NOT_FOUND') return { taskKey, holder, work: null, message: `已领取。${e.userMessage}` };
        throw e;
      }
    },

    'field.fetchFromHall': async ({ taskKey }, ctx) => importPackage(connector(), taskKey, ctx),

    'field.sendToHall': async ({ taskKey, packageId }, ctx) => {
      const sealed = await field['field.finish']!({ packageId }, ctx);
      const c = connector();
      // The owning desk applies the result only against the laptop's registered key: sent first if the hub lacks it.
      await sendKey(c, taskKey, ctx);
      const result = JSON.parse(sealed.resultJson) as { resultId: string };
      const r = await ask(c, 'POST', '/v1/field/result', { taskKey, result });
      const duplicate = (r.json as { duplicate: boolean }).duplicate;
      deps.write(ctx.actor, (w) => {
        const t = takeRecord(w.db, taskKey);
        if (t) putTakeRecord(w.db, { ...t, sentResultId: result.resultId, sentAt: w.at.toISOString() });
        w.audit({ action: 'field.sentToHub', entityType: 'field', entityId: packageId, detail: { taskKey, resultId: result.resultId, duplicate } });
      });
      return { resultId: result.resultId, duplicate, fileName: sealed.fileName, resultJson: sealed.resultJson };
    },
  };
}
