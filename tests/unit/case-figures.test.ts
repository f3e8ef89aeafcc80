import { describe, expect, it } from 'vitest';
import { caseFigures, type FigureInput } from '../../shared/rules/case-figures';

// The figure halls report: certificates the applicant did not have to bring, by how they were
// avoided. Each expected value below is counted by hand from the rows given.
const row = (method: FigureInput['method'], state: FigureInput['state'], choice: FigureInput['choice'] = null, reusedMaterial = false): FigureInput => ({
  method,
  state,
  choice,
  reusedMaterial,
});

const counts = (f: ReturnType<typeof caseFigures>) => Object.fromEntries(f.byMethod.map((b) => [b.key, b.count]));

describe('case figures', () => {
  it('counts each avoided certificate once, by how it was avoided', () => {
    const f = caseFigures([
      row('cancelled', 'not_needed'), // cancelled: avoided
      row('commitment', 'satisfied', 'commit'), // committed: avoided
      row('commitment', 'presented', 'present'), // chose to bring it: not avoided
      row('data_sharing', 'satisfied'), // fetched: avoided
      row('data_sharing', 'queued'), // asked, answer pending: avoided (the applicant brings nothing)
      row('dept_verification', 'requested'), // 协查 under way: avoided
      row('retained', 'presented'), // 保留, brought: not avoided
      row('retained', 'presented', null, true), // 保留, from the material library: avoided as reuse
    ]);
    expect(f.total).toBe(8);
    expect(f.avoided).toBe(6);
    expect(f.originals).toBe(2); // the commitment declined and brought, the 保留 brought (not the reused copy)
    expect(counts(f)).toEqual({ cancelled: 1, commitment: 1, data_sharing: 2, dept_verification: 1, reused: 1 });
  });

  it('does not count what the case never asked for (不涉及, 由本件产生), nor what is still pending', () => {
    const f = caseFigures([
      row('retained', 'not_applicable'),
      row('commitment', 'not_applicable'),
      row('retained', 'produced'),
      row('commitment', 'pending'),
      row('data_sharing', 'pending'),
    ]);
    expect(f.total).toBe(2);
    expect(f.avoided).toBe(0);
    expect(f.originals).toBe(0); // a pending query and a commitment not yet chosen are no originals
    expect(counts(f)).toEqual({ cancelled: 0, commitment: 0, data_sharing: 0, dept_verification: 0, reused: 0 });
  });

  it('counts originals still to be checked, never a query or a 协查 waiting', () => {
    const f = caseFigures([
      row('retained', 'pending'), // to be checked: an original
      row('commitment', 'pending', 'present'), // declined, to be brought: an original
      row('data_sharing', 'pending'),
      row('data_sharing', 'queued'),
      row('dept_verification', 'pending'),
      row('dept_verification', 'requested'),
    ]);
    expect(f.originals).toBe(2);
  });

  it('a commitment withdrawn back to pending is no longer avoided; a reused copy counts as reuse whatever its method', () => {
    const f = caseFigures([row('commitment', 'pending', 'commit'), row('commitment', 'satisfied', 'commit', true)]);
    expect(f.total).toBe(2);
    expect(f.avoided).toBe(1);
    expect(counts(f)).toEqual({ cancelled: 0, commitment: 0, data_sharing: 0, dept_verification: 0, reused: 1 });
  });
});
