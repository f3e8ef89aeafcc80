/**
 * Catalog import and export as .xlsx (动态调整: a county publishes a new
 * version, a desk takes it).
 *
 * Import: the workbook is parsed and fully validated in a worker thread;
 * with any problem nothing is written and every problem is answered. A clean
 * workbook becomes a new catalog version in one audited transaction. A new
 * version applies to new cases only: cases keep their catalog_version_id.
 */
import { createHash } from 'node:crypto';
import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import { currentCatalogVersion } from '../catalog/catalog-service';
import type { CatalogFileProblem } from '../../../shared/ipc/methods/catalog-io';
import { catalogCounts, type CatalogData, type CatalogParseResult } from './catalog-model';
import { insertCatalogVersion, listCatalogVersions, readCatalogVersion, versionRow, type VersionRow } from './catalog-version-rows';
import { chinaDate, chinaDayStartIso } from '../../../shared/rules/china-time';
import { SHEETS, VERSION_COLUMNS } from './xlsx-layout';
import { writeCatalogXlsx } from './write-catalog-xlsx';
import { shareCatalogVersion } from '../hub/hall-catalog';

/** The file's own name, without any folder a browser or OS may have put in front. */
function baseName(fileName: string): string {
  return fileName.split(/[\\/]/).pop()!.trim();
}

function labelFromFileName(fileName: string): string {
  return baseName(fileName).replace(/\.xlsx$/i, '').trim().slice(0, 100) || '导入的证明事项清单';
}

function exportFileName(label: string): string {
  return `${label.replace(/[\\/:*?"<>|\r\n]+/g, '_')}.xlsx`;
}

export function createCatalogIoService(deps: Deps): PartialHandlers {
  const { db, logger } = deps;

  const parse = (base64: string) => deps.runInWorker<CatalogParseResult>('catalog.parseXlsx', { base64 });

  const versionInForce = (): VersionRow | undefined => {
    const id = currentCatalogVersion(db, deps.now());
    return id === null ? undefined : versionRow(db, id);
  };

  const refused = (fileName: string, user: string, errors: CatalogFileProblem[], reason?: string) => {
    logger.info('catalog.importRefused', { fileName: baseName(fileName), user, problems: errors.length, first: errors[0]?.message, ...(reason ? { reason } : {}) });
    return { ok: false as const, errors };
  };

  /** A new version may start on the day the version in force started, or later; never earlier. */
  const effectiveDateProblem = (date: string, fromInput: boolean, catalog: CatalogData, current: VersionRow | undefined): CatalogFileProblem | null => {
    if (!current) return null;
    const currentDate = chinaDate(current.effective_from);
    if (date >= currentDate) return null;
    return {
      sheet: fromInput ? '导入设置' : SHEETS.version,
      row: fromInput ? 0 : (catalog.version.row ?? 0),
      column: VERSION_COLUMNS.effectiveFrom.header,
      message: `生效日期 ${date} 早于现行版本“${current.label}”的生效日期 ${currentDate}；新版本只能自 ${currentDate} 或之后生效`,
    };
  };

  return {
    'catalog.checkXlsx': async ({ fileName, base64 }, ctx) => {
      const parsed = await parse(base64);
      if (!parsed.ok) return refused(fileName, ctx.actor.username, parsed.errors, parsed.reason);
      const { version } = parsed.catalog;
      const current = versionInForce();
      return {
        ok: true,
        label: version.label,
        effectiveFrom: version.effectiveFrom,
        note: version.note,
        counts: catalogCounts(parsed.catalog),
        currentEffectiveFrom: current ? chinaDate(current.effective_from) : null,
      };
    },

    'catalog.importXlsx': async (input, ctx) => {
      const parsed = await parse(input.base64);
      if (!parsed.ok) return refused(input.fileName, ctx.actor.username, parsed.errors, parsed.reason);
      const { catalog } = parsed;
      const effectiveFrom = input.effectiveFrom ?? catalog.version.effectiveFrom ?? chinaDate(deps.now());
      const label = input.label ?? catalog.version.label ?? labelFromFileName(input.fileName);

      // From here to the write nothing awaits, so no other import can slip in between the check and the insert.
      const current = versionInForce();
      const dateProblem = effectiveDateProblem(effectiveFrom, input.effectiveFrom !== undefined, catalog, current);
      if (dateProblem) return refused(input.fileName, ctx.actor.username, [dateProblem]);
      // Same day as the version in force: start no earlier than it, so the newer version (higher id) wins the tie.
      const dayStart = chinaDayStartIso(effectiveFrom);
      const effectiveFromIso = current && current.effective_from > dayStart ? current.effective_from : dayStart;

      const fileName = baseName(input.fileName);
      const counts = catalogCounts(catalog);
      const sha256 = createHash('sha256').update(Buffer.from(input.base64, 'base64')).digest('hex');
      const versionId = deps.write(ctx.actor, (w) => {
        const id = insertCatalogVersion(w.db, catalog, {
          label,
          effectiveFromIso,
          source: `xlsx:${fileName}`,
          note: catalog.version.note,
          createdAt: w.at.toISOString(),
          createdBy: ctx.user?.id ?? null,
        });
        shareCatalogVersion(w, id); // the hall's catalog: every desk of the hall receives it (docs/hub.md)
        w.audit({
          action: 'catalog.import',
          entityType: 'catalog_version',
          entityId: id,
          detail: { label, effectiveFrom, fileName, sha256, counts, replaces: current?.id ?? null },
        });
        return id;
      });
      logger.info('catalog.imported', { versionId, label, effectiveFrom, fileName, ...counts });
      return { ok: true, versionId, label, effectiveFrom, counts };
    },

    'catalog.exportXlsx': async () => {
      const current = versionInForce();
      if (!current) throw new AppError('NOT_FOUND', '当前没有生效的证明事项清单，无法导出。');
      const buffer = await writeCatalogXlsx(readCatalogVersion(db, current.id));
      return { fileName: exportFileName(current.label), base64: buffer.toString('base64') };
    },

    'catalog.versions': () => listCatalogVersions(db, currentCatalogVersion(db, deps.now())),
  };
}
