import type pg from 'pg';
import { Refusal } from './server';

/**
 * The hall's material library on the hub (docs/hub.md, "Records, owners and offline"): a material
 * is a hall-owned record (kind 'material'), written once at the window that checked it. Its pages
 * are hub files (files.ts); a material is taken only once the hub holds every page, so a desk that
 * pulls it can always fetch them.
 */

const isText = (v: unknown) => typeof v === 'string' && v.length > 0;
const SHA = /^[0-9a-f]{64}$/;

/** What every desk needs to apply a material (electron/services/hub/hall-materials.ts MaterialBody). */
export function materialBodyProblem(b: Record<string, unknown>): string | null {
  if (!isText(b.applicant) || !isText(b.title) || !['A', 'B', 'C', 'D'].includes(b.trustGrade as string) || !isText(b.trustNote) || !isText(b.validFrom)) {
    return 'material needs applicant, title, trustGrade, trustNote and validFrom';
  }
  const pages = b.pages;
  if (!Array.isArray(pages) || pages.length === 0) return 'material needs at least one page';
  for (const p of pages as { sha256?: unknown; size?: unknown; mime?: unknown }[]) {
    if (typeof p?.sha256 !== 'string' || !SHA.test(p.sha256) || !Number.isInteger(p.size) || (p.size as number) <= 0 || !isText(p.mime)) return 'material page needs sha256, size and mime';
  }
  return null;
}

/** A material is taken only once the hub holds all its pages (409: the desk uploads them, then retries). */
export async function assertMaterialPagesHeld(c: pg.PoolClient, body: Record<string, unknown>): Promise<void> {
  const shas = [...new Set((body.pages as { sha256: string }[]).map((p) => p.sha256))];
  const held = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM hub_files WHERE sha256 = ANY($1) AND completed_at IS NOT NULL', [shas])).rows[0]!.n);
  if (held !== shas.length) throw new Refusal(409, 'FILES_MISSING', '全厅中心尚未收齐该材料的页面文件，请稍后重试。', `material refers to ${shas.length} page files, ${held} held`);
}
