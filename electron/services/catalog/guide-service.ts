import { createHash } from 'node:crypto';
import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import { METHOD_LABELS, type CertificateMethod } from '../../../shared/domain/catalog';
import { readHall } from '../system/hall';

/** What the applicant has to do about a certificate, by its method, in the guide's words. */
export const HOW_TO: Record<CertificateMethod, string> = {
  cancelled: '无需提供（已直接取消）',
  commitment: '可签署告知承诺书代替证明，也可自行提交证明',
  data_sharing: '无需提供，窗口通过数据共享核验',
  dept_verification: '无需提供，由部门核验或帮办代办',
  retained: '提交原件，窗口核对后留存影像；已在本中心提交且仍在有效期内的可直接复用',
};

/** The printable guide (办事指南) of a service item, as a PDF rendered in a worker thread. */
export function createGuideService(deps: Deps): PartialHandlers {
  return {
    'catalog.guidePdf': async ({ serviceItemId }) => {
      const item = deps.db
        .prepare(
          `SELECT si.*, cv.label AS version_label FROM service_items si JOIN catalog_versions cv ON cv.id = si.catalog_version_id WHERE si.id = ?`,
        )
        .get(serviceItemId) as
        | { id: number; code: string; name: string; department: string; kind: string; time_limit_days: number; guide: string; version_label: string }
        | undefined;
      if (!item) throw new AppError('NOT_FOUND', '该事项不存在。');
      const hall = readHall(deps.db) ?? { name: '', region: '' };
      const materials = deps.db
        .prepare('SELECT name, form, required, note FROM service_item_materials WHERE service_item_id = ? ORDER BY position')
        .all(item.id) as { name: string; form: string; required: number; note: string }[];
      const certificates = deps.db
        .prepare(
          `SELECT c.name, c.method FROM service_item_certificates sc JOIN certificate_items c ON c.id = sc.certificate_item_id
           WHERE sc.service_item_id = ? ORDER BY sc.position`,
        )
        .all(item.id) as { name: string; method: CertificateMethod }[];
      const base64 = await deps.runInWorker<string>('documents.guidePdf', {
        hall: { name: hall.name, region: hall.region },
        item: { code: item.code, name: item.name, department: item.department, kind: item.kind, timeLimitDays: item.time_limit_days },
        guide: JSON.parse(item.guide) as Record<string, string>,
        materials: materials.map((m) => ({ ...m, required: m.required === 1 })),
        certificates: certificates.map((c) => ({ name: c.name, methodLabel: METHOD_LABELS[c.method], howTo: HOW_TO[c.method] })),
        catalogVersion: item.version_label,
        printedAt: deps.now().toISOString(),
      });
      const sha256 = createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex');
      return { fileName: `办事指南-${item.name}.pdf`, base64, sha256 };
    },
  };
}
