import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './temp';

/** The scan scenes of tests/fixtures/scan (made by scripts/make-scan-fixtures.mjs) and their truth. */
export const SCAN_FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'scan');

export interface ScanFixture {
  name: string;
  file: string;
  document: boolean;
  /** The page's true corners (tl, tr, br, bl) in full-frame pixels; null without a page. */
  corners: [number, number][] | null;
}

/** The scenes with a page and its true corners. */
export function documentFixtures(): ScanFixture[] {
  const { fixtures } = JSON.parse(fs.readFileSync(path.join(SCAN_FIXTURES, 'truth.json'), 'utf8')) as { fixtures: ScanFixture[] };
  return fixtures.filter((f) => f.document && f.corners);
}
