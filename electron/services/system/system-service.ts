import type { PartialHandlers } from '../../app/handlers';
import type { StoreProblem, SystemStatus } from '../../../shared/ipc/contract';
import type { Db } from '../../store/open-store';
import { readHall } from './hall';

export const APP_VERSION = '0.1.0';

/** Status works in both states: ready (a store) or recovery (a store problem to show). */
export function createSystemService(
  state: { db: Db; schemaVersion: number } | { problem: StoreProblem },
  now: () => Date,
): PartialHandlers {
  return {
    'system.status': (): SystemStatus => {
      if ('problem' in state) {
        return { state: 'recovery', appVersion: APP_VERSION, schemaVersion: null, hall: null, problem: state.problem, needsSetup: false, serverTime: now().toISOString() };
      }
      const users = (state.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n;
      return {
        state: 'ready',
        appVersion: APP_VERSION,
        schemaVersion: state.schemaVersion,
        hall: readHall(state.db),
        problem: null,
        needsSetup: users === 0,
        serverTime: now().toISOString(),
      };
    },
  };
}
