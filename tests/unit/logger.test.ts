/**
 * The logger on a full disk: it never throws; lines wait in memory, in order, a line the disk cut
 * short is continued (never half a line in the file); once space returns they are written,
 * followed by a `log.resumed` note; beyond its memory bound the oldest are dropped and counted.
 * /dev/full (always full) and a real tmpfs that fills and empties.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../electron/log/logger';
import { tempDir } from '../helpers/temp';
import { fillUp, mountTmpfs } from '../helpers/tmpfs';

const linesOf = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { event: string; n?: number; heldBack?: number; lost?: number; error?: string; level: string });

describe('logger', () => {
  it('never throws on /dev/full; the ring keeps every entry', () => {
    const logger = createLogger({ file: '/dev/full', keep: 50 });
    for (let n = 0; n < 200; n++) expect(() => logger.error('test.line', { n, pad: 'x'.repeat(500) })).not.toThrow();
    expect(logger.recent()).toHaveLength(50);
    expect(logger.recent()[49]).toMatchObject({ event: 'test.line', n: 199 });
  });

  it('writes a field JSON cannot hold as text instead of throwing', () => {
    const file = path.join(tempDir('log-'), 'desk.log');
    const logger = createLogger({ file });
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    logger.info('odd.fields', { big: 10n, cycle, fine: 1 });
    expect(linesOf(file)).toEqual([expect.objectContaining({ event: 'odd.fields', big: '10', cycle: '[object Object]', fine: 1 })]);
  });

  it('removes a line a crash cut short, so every line in the file is whole', () => {
    const file = path.join(tempDir('log-'), 'desk.log');
    fs.writeFileSync(file, '{"event":"whole"}\n{"event":"cut sh');
    createLogger({ file }).info('next');
    expect(fs.readFileSync(file, 'utf8').split('\n')).toEqual(['{"event":"whole"}', expect.stringContaining('"event":"next"'), '']);
    // A file holding only a cut line: emptied, then written.
    const only = path.join(tempDir('log-'), 'desk.log');
    fs.writeFileSync(only, '{"ev');
    createLogger({ file: only }).info('first');
    expect(fs.readFileSync(only, 'utf8').split('\n')).toEqual([expect.stringContaining('"event":"first"'), '']);
  });
});

const tmpfs = mountTmpfs('64k', 'the logger on a full disk');
afterAll(() => tmpfs.unmount());

describe.skipIf(tmpfs.skipReason !== null)('logger on a real full disk (a 64 KB tmpfs)', () => {
  it('holds lines back while the disk is full and writes them, whole and in order, when space returns', () => {
    const dir = path.join(tmpfs.dir, 'a');
    const file = path.join(dir, 'desk.log');
    const logger = createLogger({ file });
    logger.info('before');
    const filler = path.join(tmpfs.dir, 'filler');
    fillUp(filler);
    // ~1 KB lines: the log file's last page takes a few, then one is cut short by the disk, then none fit.
    for (let n = 0; n < 30; n++) expect(() => logger.warn('while.full', { n, pad: 'y'.repeat(1000) })).not.toThrow();
    const whileFull = fs.readFileSync(file, 'utf8');
    expect(whileFull.endsWith('\n')).toBe(false); // a line cut short by the disk is in the file…
    expect(logger.recent().filter((e) => e.event === 'while.full')).toHaveLength(30);

    fs.rmSync(filler);
    logger.info('after');
    const lines = linesOf(file); // …and continued: every line parses
    expect(lines.map((l) => [l.event, l.n])).toEqual([
      ['before', undefined],
      ...Array.from({ length: 30 }, (_, n) => ['while.full', n]),
      ['after', undefined],
      ['log.resumed', undefined],
    ]);
    const resumed = lines[lines.length - 1]!;
    expect(resumed).toMatchObject({ level: 'warn', error: 'ENOSPC', lost: 0 });
    expect(resumed.heldBack).toBeGreaterThan(20);
    expect(resumed.heldBack).toBeLessThanOrEqual(30);
  });

  it('drops the oldest held-back lines beyond its memory bound and counts them', () => {
    const file = path.join(tmpfs.dir, 'b', 'desk.log');
    const logger = createLogger({ file, maxPendingBytes: 8 * 1024 });
    logger.info('before');
    const filler = path.join(tmpfs.dir, 'filler');
    fillUp(filler);
    for (let n = 0; n < 40; n++) logger.warn('while.full', { n, pad: 'z'.repeat(1000) });
    fs.rmSync(filler);
    logger.info('after');
    const lines = linesOf(file);
    const resumed = lines[lines.length - 1]!;
    expect(resumed.event).toBe('log.resumed');
    const kept = lines.filter((l) => l.event === 'while.full').map((l) => l.n!);
    expect(kept.length + resumed.lost!).toBe(40);
    expect(resumed.lost).toBeGreaterThan(20);
    // What is kept is in order: the lines written before the disk filled, then the newest.
    expect([...kept].sort((a, b) => a - b)).toEqual(kept);
    expect(kept[kept.length - 1]).toBe(39);
    expect(logger.recent().filter((e) => e.event === 'while.full')).toHaveLength(40);
  });
});
