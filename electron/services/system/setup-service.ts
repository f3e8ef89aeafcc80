import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import { hashPassword } from '../auth/passwords';
import { insertUser, toUserView, findUserById } from '../users/user-rows';
import { SYSTEM_ACTOR } from '../audit/audit-chain';

/** First start without demo data: the hall and its first supervisor are created once, then never again. */
export function createSetupService(deps: Deps): PartialHandlers {
  return {
    'setup.initialize': async ({ hall, admin }) => {
      const hasUsers = () => (deps.db.prepare('SELECT COUNT(*) AS n FROM users').get() as { n: number }).n > 0;
      if (hasUsers()) throw new AppError('CONFLICT', '工作台已经初始化，请直接登录。');
      const passwordHash = await hashPassword(admin.password);
      const view = deps.write(SYSTEM_ACTOR, (w) => {
        if (hasUsers()) throw new AppError('CONFLICT', '工作台已经初始化，请直接登录。');
        w.db.prepare('INSERT OR REPLACE INTO hall (id, code, name, region) VALUES (1, ?, ?, ?)').run(hall.code, hall.name, hall.region);
        const id = insertUser(w.db, { username: admin.username, displayName: admin.displayName, role: 'supervisor', passwordHash }, w.at);
        w.audit({ action: 'setup.initialize', entityType: 'user', entityId: id, detail: { hall: hall.name, admin: admin.username } });
        return toUserView(findUserById(w.db, id)!);
      });
      const s = deps.sessions.create(view);
      return { token: s.token, user: s.user, idleLockMs: deps.sessions.idleLockMs };
    },
  };
}
