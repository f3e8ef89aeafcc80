import { describe, expect, it } from 'vitest';
import { severityForMeasures, type Measures, type Severity } from '../../shared/rules/verification-consequences';

/** The credit record's severity follows the heaviest measure; expected values written by hand. */
describe('severity follows the outcome', () => {
  it.each([
    [{ rectify: { requirement: '补交材料', workingDays: 5 } }, '轻微'],
    [{ endItems: { serviceItemIds: [3] } }, '一般'],
    [{ endItems: { serviceItemIds: [3, 4] }, rectify: { requirement: '补交材料', workingDays: 5 } }, '一般'],
    [{ refer: { to: '县公安局', on: '2026-10-09' } }, '严重'],
    [{ refer: { to: '县公安局', on: '2026-10-09' }, endItems: { serviceItemIds: [3] } }, '严重'],
    [{ refer: { to: '县公安局', on: '2026-10-09' }, rectify: { requirement: '补交材料', workingDays: 5 } }, '严重'],
    [{ endItems: { serviceItemIds: [] }, rectify: { requirement: '补交材料', workingDays: 5 } }, '轻微'],
  ] as [Measures, Severity][])('%j → %s', (measures, severity) => {
    expect(severityForMeasures(measures)).toBe(severity);
  });
});
