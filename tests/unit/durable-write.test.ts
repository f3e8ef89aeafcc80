/**
 * The one durable-write primitive (electron/store/durable-write.ts) on real files: short writes
 * continued, a full disk (a real tmpfs) leaving neither a temp file nor a cut-short target, an
 * existing content-addressed file trusted only when it holds the bytes (else repaired, or refused
 * when it is not a file), which errors count as a full disk, and a torn last line of a line file
 * (kept and closed off by appendLineDurably, removed by the logger).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { fillUp, freeBytes, mountTmpfs } from '../helpers/tmpfs';
import { appendLineDurably, endsInTornLine, ensureDirDurably, isDiskFull, putContentAddressed, writeAll, writeAllSync, writeFileDurably, writeFileDurablyAsync } from '../../electron/store/durable-write';
import { createLogger } from '../../electron/log/logger';
import { FileStore } from '../../electron/services/files/file-store';

const bytes = (n: number, seed = 1) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const namesIn = (dir: string) => fs.readdirSync(dir).sort();

describe('short writes', () => {
  it('writeAllSync continues a write the file system cut short until every byte is written', () => {
    const file = path.join(tempDir('dw-'), 'f');
    const fd = fs.openSync(file, 'w');
    const calls: number[] = [];
    // At most 7 bytes per call, as a file system may accept (a full disk accepts fewer than asked).
    const stingy = (f: number, data: Uint8Array, off: number, len: number) => {
      calls.push(len);
      return fs.writeSync(f, data, off, Math.min(len, 7));
    };
    const data = bytes(100);
    writeAllSync(fd, data, stingy);
    fs.closeSync(fd);
    expect(fs.readFileSync(file)).toEqual(data);
    expect(calls).toHaveLength(15); // ceil(100 / 7)
    expect(calls.slice(0, 3)).toEqual([100, 93, 86]);
  });

  it('writeAllSync throws ENOSPC when the file system takes no more bytes', () => {
    const fd = fs.openSync(path.join(tempDir('dw-'), 'f'), 'w');
    let n = 0;
    const full = (f: number, data: Uint8Array, off: number, len: number) => (n++ === 0 ? fs.writeSync(f, data, off, Math.min(len, 10)) : 0);
    expect(() => writeAllSync(fd, bytes(50), full)).toThrow(expect.objectContaining({ code: 'ENOSPC', message: expect.stringContaining('10 of 50 bytes') }));
    fs.closeSync(fd);
  });

  it('writeAll continues a cut-short writev across pieces', async () => {
    const file = path.join(tempDir('dw-'), 'f');
    const fh = await fs.promises.open(file, 'w');
    let calls = 0;
    const stingy = {
      writev: async (buffers: NodeJS.ArrayBufferView[]) => {
        calls++;
        const first = buffers[0] as Buffer;
        return fh.writev([first.subarray(0, 5)]);
      },
    };
    const pieces = [bytes(12, 1), bytes(0), bytes(9, 2), bytes(4, 3)];
    await writeAll(stingy as unknown as fs.promises.FileHandle, pieces);
    await fh.close();
    expect(fs.readFileSync(file)).toEqual(Buffer.concat(pieces));
    expect(calls).toBe(3 + 2 + 1); // 12 → 5+5+2, 9 → 5+4, 4 → 4
  });
});

describe('folders', () => {
  it('ensureDirDurably makes missing parents and leaves existing ones', () => {
    const root = tempDir('dw-');
    ensureDirDurably(path.join(root, 'a', 'b', 'c'));
    expect(fs.statSync(path.join(root, 'a', 'b', 'c')).isDirectory()).toBe(true);
    ensureDirDurably(path.join(root, 'a', 'b', 'c'));
    expect(namesIn(path.join(root, 'a'))).toEqual(['b']);
  });

  it('writeFileDurably creates the folder, writes the bytes, leaves no temp file, replaces atomically', async () => {
    const dir = path.join(tempDir('dw-'), 'x', 'y');
    const file = path.join(dir, 'f.json');
    writeFileDurably(file, '{"a":1}', { mode: 0o600 });
    expect(fs.readFileSync(file, 'utf8')).toBe('{"a":1}');
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    writeFileDurably(file, bytes(3000));
    await writeFileDurablyAsync(path.join(dir, 'g'), [bytes(10), bytes(20, 2)]);
    expect(fs.readFileSync(file)).toEqual(bytes(3000));
    expect(fs.readFileSync(path.join(dir, 'g'))).toEqual(Buffer.concat([bytes(10), bytes(20, 2)]));
    expect(namesIn(dir)).toEqual(['f.json', 'g']);
  });
});

describe('content-addressed files', () => {
  const setup = () => {
    const root = tempDir('dw-ca-');
    const data = bytes(5000, 9);
    const file = path.join(root, sha(data).slice(0, 2), sha(data));
    return { root, data, file };
  };

  it('writes a new file once and keeps an intact one', () => {
    const { data, file } = setup();
    expect(putContentAddressed(file, data)).toBe('written');
    expect(putContentAddressed(file, data)).toBe('kept');
    expect(fs.readFileSync(file)).toEqual(data);
  });

  it('repairs an existing file cut short (a full disk) from the bytes in hand', () => {
    const { data, file } = setup();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data.subarray(0, 4096));
    expect(putContentAddressed(file, data)).toBe('repaired');
    expect(sha(fs.readFileSync(file))).toBe(sha(data));
    expect(namesIn(path.dirname(file))).toEqual([path.basename(file)]);
  });

  it('repairs an existing file of the right size with other bytes', () => {
    const { data, file } = setup();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const changed = Buffer.from(data);
    changed[4999] = changed[4999]! ^ 0xff;
    fs.writeFileSync(file, changed);
    expect(putContentAddressed(file, data)).toBe('repaired');
    expect(fs.readFileSync(file)).toEqual(data);
  });

  it('refuses when something that is not a file holds the name', () => {
    const { data, file } = setup();
    fs.mkdirSync(file, { recursive: true });
    expect(() => putContentAddressed(file, data)).toThrow(/not a regular file/);
    expect(fs.statSync(file).isDirectory()).toBe(true);
  });

  it('FileStore.put repairs a damaged stored copy, and says so in the log', () => {
    const { root, data } = setup();
    const warned: unknown[] = [];
    const store = new FileStore(root, { warn: (event: string, fields?: Record<string, unknown>) => (warned.push([event, fields]), 'id') }, { key: Buffer.alloc(32, 7) });
    const s = store.put(data);
    fs.truncateSync(store.pathOf(s), 100);
    expect(() => store.get(s)).toThrow(/damaged/);
    expect(store.put(data)).toBe(s);
    expect(store.get(s)).toEqual(data);
    expect(warned).toEqual([['files.repaired', { sha256: s, size: 5000 }]]);
  });
});

describe('which errors are a full disk', () => {
  it('ENOSPC, EDQUOT, SQLITE_FULL and SQLITE_IOERR_SHMSIZE are; other errors are not', () => {
    for (const code of ['ENOSPC', 'EDQUOT', 'SQLITE_FULL', 'SQLITE_IOERR_SHMSIZE']) expect(isDiskFull({ code }), code).toBe(true);
    for (const code of ['EIO', 'EACCES', 'SQLITE_IOERR', 'SQLITE_IOERR_WRITE', 'SQLITE_BUSY', 'SQLITE_CORRUPT', '', undefined]) expect(isDiskFull({ code }), String(code)).toBe(false);
    expect(isDiskFull(null)).toBe(false);
    expect(isDiskFull(new Error('ENOSPC'))).toBe(false); // by code, not by message
  });
});

const tmpfs = mountTmpfs('256k', 'the full-disk cases of the durable write');
afterAll(() => tmpfs.unmount());

describe.skipIf(tmpfs.skipReason !== null)('on a real full disk (a 256 KB tmpfs)', () => {
  it('a write that does not fit throws ENOSPC and leaves neither a temp file nor the target; the old version stays whole', async () => {
    const dir = path.join(tmpfs.dir, 'd');
    const file = path.join(dir, 'config.json');
    writeFileDurably(file, 'old version');
    const filler = path.join(tmpfs.dir, 'filler');
    fs.writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes(tmpfs.dir) - 64 * 1024)));
    // 100 KB do not fit in the 64 KB left: the write goes part of the way (a real short write), then the disk says no.
    expect(() => writeFileDurably(file, bytes(100 * 1024))).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    await expect(writeFileDurablyAsync(file, [bytes(60 * 1024), bytes(40 * 1024)])).rejects.toMatchObject({ code: 'ENOSPC' });
    expect(namesIn(dir)).toEqual(['config.json']);
    expect(fs.readFileSync(file, 'utf8')).toBe('old version');

    // A content-addressed file on the full disk: refused with nothing left; stored once space returns.
    const data = bytes(100 * 1024, 5);
    const ca = path.join(dir, sha(data));
    expect(() => putContentAddressed(ca, data)).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    expect(fs.existsSync(ca)).toBe(false);
    fillUp(filler);
    expect(() => writeFileDurably(path.join(dir, 'tiny'), 'x')).toThrow(expect.objectContaining({ code: 'ENOSPC' }));
    expect(namesIn(dir)).toEqual(['config.json']);
    fs.rmSync(filler);
    expect(putContentAddressed(ca, data)).toBe('written');
    expect(sha(fs.readFileSync(ca))).toBe(sha(data));
  });
});

describe('a torn last line (endsInTornLine): two remedies', () => {
  const tornAt = (file: string) => {
    const fd = fs.openSync(file, 'r');
    try {
      return endsInTornLine(fd, fs.fstatSync(fd).size);
    } finally {
      fs.closeSync(fd);
    }
  };

  it('is a file whose last byte is not a newline; an empty file or one ending in a newline is not torn', () => {
    const dir = tempDir('dw-torn-');
    fs.writeFileSync(path.join(dir, 'empty'), '');
    fs.writeFileSync(path.join(dir, 'whole'), '{"a":1}\n');
    fs.writeFileSync(path.join(dir, 'torn'), '{"a":1}\n{"b":');
    expect([tornAt(path.join(dir, 'empty')), tornAt(path.join(dir, 'whole')), tornAt(path.join(dir, 'torn'))]).toEqual([false, false, true]);
  });

  it('appendLineDurably (evidence) keeps the torn bytes and closes them off; the logger removes its own torn line', () => {
    const dir = tempDir('dw-torn-');
    const evidence = path.join(dir, 'checkpoints.jsonl');
    fs.writeFileSync(evidence, '{"seq":1}\n{"seq":2,"ha');
    appendLineDurably(evidence, '{"seq":3}');
    expect(fs.readFileSync(evidence, 'utf8')).toBe('{"seq":1}\n{"seq":2,"ha\n{"seq":3}\n');
    appendLineDurably(evidence, '{"seq":4}');
    expect(fs.readFileSync(evidence, 'utf8')).toBe('{"seq":1}\n{"seq":2,"ha\n{"seq":3}\n{"seq":4}\n');

    const log = path.join(dir, 'desk.log');
    fs.writeFileSync(log, '{"event":"a"}\n{"event":"b","n');
    createLogger({ file: log }).info('c');
    const lines = fs.readFileSync(log, 'utf8').split('\n');
    expect(lines.slice(0, 1)).toEqual(['{"event":"a"}']);
    expect(lines).toHaveLength(3);
    expect(JSON.parse(lines[1]!)).toMatchObject({ event: 'c', level: 'info' });
    expect(lines[2]).toBe('');
  });
});
