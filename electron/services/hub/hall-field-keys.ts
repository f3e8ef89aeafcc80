import type { Deps } from '../../app/deps';
import type { Actor } from '../audit/audit-chain';
import { AppError } from '../../app/app-error';
import type { HubConnector } from './hub-connector';
import { registerFieldKey } from '../verification/field-key-register';
import { fieldKeyRegistration } from '../field/field-service';
import { putTakeRecord, takeRecord } from './hall-field-state';

/**
 * The field laptop's key through the hub (hub/field-keys.ts; the rule is
 * electron/services/verification/field-key-register.ts). On the laptop: the registration of the
 * package of a task taken at the hub is posted once (remembered in the take record, so a hub that
 * dropped mid-way is asked again at the next round) — right after the package is fetched, and in
 * any case before its result is sent. On the owning desk: the registrations the hub holds for its
 * tasks are registered before their relayed results are applied. Called by the automatic round
 * (hall-field-auto.ts) and by the screens' own requests (hall-field.ts) alike.
 */

type HubAnswer = { status: number; json: unknown };
/** The hub's own refusal in its words, or null for an answer taken; anything else is the caller's to throw. */
export type HubRefusalOf = (r: HubAnswer) => { code: string; message: string } | null;

/**
 * On the laptop: sends the key registration of the package taken at the hub under `taskKey`, unless
 * the hub has it already (the hub keeps the first registration per package, so a repeat after a lost
 * answer is harmless). Returns the hub's refusal, or null once the hub has it (or there is no package yet).
 */
export async function sendFieldKey(deps: Deps, hub: HubConnector, refusalOf: HubRefusalOf, actor: Actor, taskKey: string): Promise<{ code: string; message: string } | null> {
  const t = takeRecord(deps.db, taskKey);
  if (!t?.packageId || t.keySentAt) return null;
  const packageId = t.packageId;
  const { registration } = fieldKeyRegistration(deps, packageId);
  const r = await hub.request('POST', '/v1/field/key', { taskKey, registration });
  const refused = refusalOf(r);
  if (refused) return refused;
  deps.write(actor, (w) => {
    const now = takeRecord(w.db, taskKey);
    if (now && now.packageId === packageId) putTakeRecord(w.db, { ...now, keySentAt: w.at.toISOString() });
    w.audit({ action: 'field.keySentToHub', entityType: 'field', entityId: taskKey, detail: { packageId, alg: registration.alg, stored: (r.json as { stored?: boolean }).stored ?? null } });
  });
  return null;
}

/** On the owning desk: registers every laptop key the hub holds for its tasks; refusals are reported, not thrown. */
export async function registerHallFieldKeys(deps: Deps, hub: HubConnector, refusalOf: HubRefusalOf, actor: Actor, out: { refused: { ref: string; message: string }[] }): Promise<number> {
  const r = await hub.request('GET', '/v1/field/keys');
  const refused = refusalOf(r);
  if (refused) {
    out.refused.push({ ref: 'field keys', message: refused.message });
    return 0;
  }
  const keys = (r.json as { keys?: { taskKey: string; registration: unknown }[] }).keys ?? [];
  let registered = 0;
  for (const k of keys) {
    try {
      if (registerFieldKey(deps, actor, JSON.stringify(k.registration)).registered) registered++;
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      // A registration for a package the task no longer has (taken back, issued again) is stale, not a fault: its result is refused in its turn.
      if (e.code === 'CONFLICT') deps.logger.info('field.keyStale', { taskKey: k.taskKey, reason: e.userMessage });
      else out.refused.push({ ref: k.taskKey, message: e.userMessage });
    }
  }
  return registered;
}
