import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { FileStore } from '../files/file-store';
import { ConnectorFailure } from '../sync/http-connector';
import type { HubTargetConfig } from '../sync/targets-config';
import { deskSchemaVersion, HubConnector } from './hub-connector';
import { loadTask } from '../verification/task-rows';
import { checkoutTask, type Taker } from '../verification/field-checkout';
import { applyFieldResult } from '../verification/field-apply';
import { createFieldService } from '../field/field-service';
import { registerHallFieldKeys, sendFieldKey } from './hall-field-keys';

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

/** The assistant of this desk the hub named as the holder (users are the hall's; matched by display name). */
function localAssistant(deps: Deps, name: string): Taker | undefined {
  const u = deps.db.prepare(`SELECT id, display_name, role FROM users WHERE display_name = ? AND role = 'assistant' AND active = 1`).get(name) as
    | { id: number; display_name: string; role: string }
    | undefined;
  return u && { id: u.id, displayName: u.display_name, role: u.role };
}

export function createHallFieldService(deps: Deps & { files: FileStore }, hubTargets: () => readonly HubTargetConfig[], dataDir: string, timeoutMs: number): PartialHandlers {
  const field = createFieldService(deps);
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
    const work = await field['field.import']!({ packageJson: JSON.stringify(pkg) }, ctx);
    // This laptop's key for the package, registered with the task through the hub (hall-field-keys.ts).
    await sendFieldKey((m, p, b) => ask(c, m, p, b), taskKey, (await field['field.keyRegistration']!({ packageId: work.packageId }, ctx)).registrationJson);
    return work;
  };

  return {
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
      const out = { issued: 0, applied: 0, duplicates: 0, refused: [] as { ref: string; message: string }[] };
      // Packages for the tasks taken at the hub.
      const locks = (await ask(c, 'GET', '/v1/field/locks')).json as { locks: { taskKey: string; taskId: number; holder: string; holderDesk: string }[] };
      for (const l of locks.locks) {
        const taker = localAssistant(deps, l.holder);
        if (!taker) {
          out.refused.push({ ref: l.taskKey, message: `本窗口没有在岗的帮办代办员“${l.holder}”，不能签发外勤任务包。` });
          continue;
        }
        let pkg: unknown;
        try {
          pkg = deps.write(ctx.actor, (w) => {
            const t = loadTask(w.db, l.taskId);
            // Issued here before but never handed to the hub (cut off after the commit): issue it afresh.
            if (t.checked_out_by === taker.id) w.db.prepare('UPDATE verification_tasks SET checked_out_by = NULL, checked_out_at = NULL, checkout_key = NULL, package_id = NULL WHERE id = ?').run(t.id);
            const p = checkoutTask(w, l.taskId, taker);
            w.audit({ action: 'verification.issuedThroughHub', entityType: 'verification', entityId: l.taskId, detail: { taskKey: l.taskKey, holder: l.holder, holderDesk: l.holderDesk, packageId: p.packageId } });
            return p;
          });
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          out.refused.push({ ref: l.taskKey, message: e.userMessage });
          continue;
        }
        await ask(c, 'POST', '/v1/field/package', { taskKey: l.taskKey, package: pkg });
        out.issued++;
      }
      // The laptops' keys first (hall-field-keys.ts): a result applies only against its package's registered key.
      out.refused.push(...(await registerHallFieldKeys(deps, ctx.actor, (m, p, b) => ask(c, m, p, b))).refused);
      // Results relayed by the hub: applied once each (by result id), then acknowledged.
      const results = (await ask(c, 'GET', '/v1/field/results')).json as { results: { resultId: string; taskKey: string; result: unknown }[] };
      const done: string[] = [];
      for (const x of results.results) {
        try {
          const a = applyFieldResult(deps, ctx.actor, ctx.user!.id, JSON.stringify(x.result));
          if (a.applied) out.applied++;
          else out.duplicates++;
          done.push(x.resultId);
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          // Not acknowledged: it stays at the hub, listed again at the next sync.
          out.refused.push({ ref: x.resultId, message: e.userMessage });
        }
      }
      if (done.length) await ask(c, 'POST', '/v1/field/results/ack', { resultIds: done });
      return out;
    },

    'field.takeFromHall': async ({ taskKey }, ctx) => {
      const c = connector();
      const r = await ask(c, 'POST', '/v1/field/take', { taskKey, assistant: ctx.user!.displayName });
      const holder = (r.json as { holder: string }).holder;
      deps.write(ctx.actor, (w) => w.audit({ action: 'field.takenAtHub', entityType: 'field', entityId: taskKey, detail: { hub: c.target.id, again: r.status === 200 } }));
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
      const result = JSON.parse(sealed.resultJson) as { resultId: string };
      const r = await ask(c, 'POST', '/v1/field/result', { taskKey, result });
      const duplicate = (r.json as { duplicate: boolean }).duplicate;
      deps.write(ctx.actor, (w) => w.audit({ action: 'field.sentToHub', entityType: 'field', entityId: packageId, detail: { taskKey, resultId: result.resultId, duplicate } }));
      return { resultId: result.resultId, duplicate, fileName: sealed.fileName, resultJson: sealed.resultJson };
    },
  };
}
