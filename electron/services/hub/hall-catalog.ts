import { randomUUID } from 'node:crypto';
import type { WriteContext } from '../../store/write';
import type { CatalogData } from '../catalog-io/catalog-model';
import { insertCatalogVersion, readCatalogVersion, versionRow } from '../catalog-io/catalog-version-rows';
import { replaceYear, yearDays } from '../calendar/calendar-store';
import type { CalendarDay } from '../../../shared/rules/hall-calendar';
import { enqueueHallRecord, hallTargetIds } from './hall-records';

/**
 * The hall's catalog and calendar (docs/hub.md, "Records, owners and offline"), through the hall
 * records machinery (hall-records.ts pushes, hall-records-apply.ts applies):
 * - a catalog version imported on any desk is a hall record 'catalog_version' under a hall id (a
 *   UUID its desk gives it) with the whole version as the desk stores it; every desk inserts it
 *   once, with the same effective time, so it is in force there from its date and a case keeps the
 *   version it began under (cases.catalog_version_id), as for a desk's own import;
 * - a calendar year imported or corrected on any desk is a hall record 'calendar_year' (its whole
 *   list of days); every desk replaces its copy of the year. As for a correction on the desk
 *   itself, due dates already set are not recomputed (docs/calendar.md).
 */

/** The body of a 'catalog_version' record. */
export interface CatalogVersionBody {
  label: string;
  /** The instant the version starts applying (ISO), as the first desk stored it. */
  effectiveFrom: string;
  source: string;
  note: string;
  catalog: CatalogData;
}

/** The body of a 'calendar_year' record. */
export interface CalendarYearBody {
  year: number;
  source: string;
  days: (CalendarDay & { note: string | null })[];
}

/** Inside the transaction that published a catalog version on this desk: gives it its hall id and queues it for the hub. */
export function shareCatalogVersion(w: WriteContext, versionId: number): void {
  if (hallTargetIds(w.db).length === 0) return;
  const v = versionRow(w.db, versionId)!;
  const hallKey = randomUUID();
  w.db.prepare('UPDATE catalog_versions SET hall_key = ? WHERE id = ?').run(hallKey, versionId);
  const body: CatalogVersionBody = { label: v.label, effectiveFrom: v.effective_from, source: v.source, note: v.note, catalog: readCatalogVersion(w.db, versionId) };
  enqueueHallRecord(w, 'catalog_version', hallKey, body as unknown as Record<string, unknown>);
}

/** Inside the transaction that imported or corrected a calendar year on this desk: queues the whole year for the hub. */
export function shareCalendarYear(w: WriteContext, year: number): void {
  if (hallTargetIds(w.db).length === 0) return;
  const source = (w.db.prepare('SELECT source FROM calendar_years WHERE year = ?').pluck().get(year) as string | undefined) ?? '';
  const body: CalendarYearBody = { year, source, days: yearDays(w.db, year) };
  enqueueHallRecord(w, 'calendar_year', String(year), body as unknown as Record<string, unknown>);
}

/** A catalog version from the hall: inserted once under its hall id (a desk that has it already changes nothing). */
export function applyCatalogVersionBody(w: WriteContext, hallKey: string, b: CatalogVersionBody, ownerDesk: string): void {
  const had = w.db.prepare('SELECT id FROM catalog_versions WHERE hall_key = ?').pluck().get(hallKey) as number | undefined;
  if (had !== undefined) return;
  const id = insertCatalogVersion(w.db, b.catalog, {
    label: b.label,
    effectiveFromIso: new Date(b.effectiveFrom).toISOString(),
    source: `hub:${ownerDesk}:${b.source}`,
    note: b.note,
    createdAt: w.at.toISOString(),
    createdBy: null,
  });
  w.db.prepare('UPDATE catalog_versions SET hall_key = ? WHERE id = ?').run(hallKey, id);
  w.audit({
    action: 'hub.catalogVersionReceived',
    entityType: 'catalog_version',
    entityId: id,
    detail: { hallKey, fromDesk: ownerDesk, label: b.label, effectiveFrom: b.effectiveFrom, serviceItems: b.catalog.serviceItems.length, certificates: b.catalog.certificates.length },
  });
}

/** A calendar year from the hall: this desk's copy of the year becomes the hall's list. */
export function applyCalendarYearBody(w: WriteContext, b: CalendarYearBody, ownerDesk: string): void {
  const counts = replaceYear(w, b.year, b.source, b.days);
  w.audit({ action: 'hub.calendarYearReceived', entityType: 'calendar', entityId: b.year, detail: { year: b.year, source: b.source, fromDesk: ownerDesk, before: counts.before, after: counts.after } });
}
