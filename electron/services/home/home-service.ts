import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { CERTIFICATE_METHODS } from '../../../shared/domain/catalog';
import { currentCatalogVersion } from '../catalog/catalog-service';
import { readHall } from '../system/hall';
import { homeWork } from './home-work';
import { chinaDate, chinaDayStartIso } from '../../../shared/rules/china-time';

export function createHomeService(deps: Deps): PartialHandlers {
  const { db } = deps;
  const count = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
  return {
    'home.work': (_input, ctx) => homeWork(db, ctx.user!, deps.now()),
    'home.summary': (_input, ctx) => {
      const now = deps.now();
      const version = currentCatalogVersion(db, now) ?? -1;
      // Today is the hall's day (China time), whatever the machine's own time zone.
      const startOfDay = chinaDayStartIso(chinaDate(now));
      const byMethod = new Map(
        (db
          .prepare('SELECT method, COUNT(*) AS n FROM certificate_items WHERE catalog_version_id = ? GROUP BY method')
          .all(version) as { method: string; n: number }[]).map((r) => [r.method, r.n]),
      );
      return {
        hall: readHall(db) ?? { code: '', name: '未设置', region: '' },
        user: ctx.user!,
        now: now.toISOString(),
        counts: {
          serviceItems: count('SELECT COUNT(*) AS n FROM service_items WHERE catalog_version_id = ?', version),
          certificateItems: count('SELECT COUNT(*) AS n FROM certificate_items WHERE catalog_version_id = ?', version),
          applicants: count('SELECT COUNT(*) AS n FROM applicants'),
          auditToday: count('SELECT COUNT(*) AS n FROM audit_log WHERE at >= ?', startOfDay),
        },
        certificatesByMethod: CERTIFICATE_METHODS.map((method) => ({ method, count: byMethod.get(method) ?? 0 })),
        // The sync outbox (electron/services/sync): vertical targets as last configured, entries not yet delivered.
        sync: {
          targetsConfigured: count(`SELECT COUNT(*) AS n FROM sync_targets WHERE kind <> 'data_sharing'`),
          pending: count(`SELECT COUNT(*) AS n FROM outbox_entries WHERE state IN ('pending', 'in_flight', 'retry_wait', 'unknown')`),
        },
      };
    },
  };
}
