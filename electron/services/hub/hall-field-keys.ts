import type { Deps } from '../../app/deps';
import type { Actor } from '../audit/audit-chain';
import { AppError } from '../../app/app-error';
import { registerFieldKey } from '../verification/field-key-register';

/**
 * The field laptop's key through the hub (hub/field-keys.ts; the rule is
 * electron/services/verification/field-key-register.ts): the laptop posts the registration of a
 * package it imported from the hub; the owning desk registers the registrations of its tasks before
 * it applies their results. Both sides are called by hall-field.ts.
 */

type Ask = (method: 'GET' | 'POST', p: string, body?: unknown) => Promise<{ status: number; json: unknown }>;

/** On the laptop: sends the key registration of an imported package (again harmlessly: the hub keeps the first). */
export async function sendFieldKey(ask: Ask, taskKey: string, registrationJson: string): Promise<void> {
  await ask('POST', '/v1/field/key', { taskKey, registration: JSON.parse(registrationJson) as unknown });
}

/** On the owning desk: registers every laptop key the hub holds for its tasks; refusals are reported, not thrown. */
export async function registerHallFieldKeys(deps: Deps, actor: Actor, ask: Ask): Promise<{ registered: number; refused: { ref: string; message: string }[] }> {
  const keys = ((await ask('GET', '/v1/field/keys')).json as { keys?: { taskKey: string; registration: unknown }[] }).keys ?? [];
  const out = { registered: 0, refused: [] as { ref: string; message: string }[] };
  for (const k of keys) {
    try {
      if (registerFieldKey(deps, actor, JSON.stringify(k.registration)).registered) out.registered++;
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      // A registration for a package the task no longer has (taken back, issued again) is stale, not a fault: its result is refused in its turn.
      if (e.code === 'CONFLICT') deps.logger.info('field.keyStale', { taskKey: k.taskKey, reason: e.userMessage });
      else out.refused.push({ ref: k.taskKey, message: e.userMessage });
    }
  }
  return out;
}
