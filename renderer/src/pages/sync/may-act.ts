import type { Role } from '../../../../shared/domain/roles';
import { syncMethods } from '../../../../shared/ipc/methods/sync';

const access = syncMethods['sync.resend'].access;

/** Whether this role may act on entries (resend, settle unknown, manual re-entry); the contract decides. */
export function mayAct(role: Role | undefined): boolean {
  return !!role && (access === 'session' || access === 'public' || (access as readonly Role[]).includes(role));
}
