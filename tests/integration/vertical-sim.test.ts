/**
 * The vertical-system simulator (sim/vertical-system, docs/sync-protocol.md): every fault really
 * happens on a real loopback port, and what it says is stored is in its SQLite file.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refusedByRate, spawnVerticalSim, startVerticalSim, type SimHandle, type TargetConfig } from '../../sim/vertical-system';
import { tempDir } from '../helpers/temp';
import { killRandom } from '../helpers/kill-points';

const TOKEN = 'test-token';
const target = (id: string, honourIdempotency: boolean, chunkSize = 64 * 1024): TargetConfig => ({
  id,
  name: `测试系统 ${id}`,
  port: 0,
  token: TOKEN,
  honourIdempotency,
  chunkSize,
});
const CHINESE = /[\u4e00-\u9fff]/;

interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** One request over a fresh connection (no pooling, so a dropped socket is this request's). */
function request(
  base: string,
  method: string,
  pathname: string,
  opts: { body?: unknown; raw?: Buffer; key?: string; token?: string | null } = {},
): Promise<Answer> {
  const data = opts.raw ?? (opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body)));
  const headers: Record<string, string | number> = { Connection: 'close' };
  if (opts.token !== null) headers.Authorization = `Bearer ${opts.token ?? TOKEN}`;
  if (opts.key) headers['Idempotency-Key'] = opts.key;
  if (data) {
    headers['Content-Length'] = data.length;
    headers['Content-Type'] = opts.raw ? 'application/octet-stream' : 'application/json';
  }
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${pathname}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode!, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

const errorCode = (e: unknown) => (e as NodeJS.ErrnoException).code;

async function waitFor(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('vertical-system simulator (in process)', () => {
  let sim: SimHandle;
  let dataDir: string;
  let honours: string;
  let ignores: string;
  beforeAll(async () => {
    dataDir = tempDir('vsim-');
    sim = await startVerticalSim({ dataDir, targets: [target('honours', true), target('ignores', false)] });
    honours = sim.targets.honours!;
    ignores = sim.targets.ignores!;
  });
  afterAll(async () => {
    await sim?.close();
  });

  it('answers the health probe without a token and refuses data requests without the right token', async () => {
    expect((await request(honours, 'GET', '/health', { token: null })).body).toEqual({ target: 'honours', ok: true });
    const noToken = await request(honours, 'POST', '/api/cases', { body: { externalRef: 'A-1' }, token: null });
    const wrong = await request(honours, 'POST', '/api/cases', { body: { externalRef: 'A-1' }, token: 'other' });
    expect([noToken.status, wrong.status]).toEqual([401, 401]);
    expect(await sim.cases('honours')).toEqual([]);
  });

  it('refuse really closes the port (ECONNREFUSED) and reopens it on the same port', async () => {
    await sim.setFaults('honours', { refuse: true });
    const err = await request(honours, 'GET', '/health').then(
      () => null,
      (e: unknown) => e,
    );
    expect(errorCode(err)).toBe('ECONNREFUSED');
    expect((await sim.stats('honours')).refused).toBe(1);
    await sim.setFaults('honours', {});
    expect((await request(honours, 'GET', '/health')).status).toBe(200);
  });

  it('fails that share of requests with 5xx and 429 (with Retry-After) and stores nothing for them', async () => {
    await sim.reset('ignores');
    await sim.setFaults('ignores', { rate5xx: 0.3, rate429: 0.2, retryAfterS: 7 });
    const N = 600;
    const counts = { ok: 0, s5xx: 0, s429: 0 };
    const one = async (i: number) => {
      // fetch keeps connections alive; 20 at a time.
      const a = await fetch(`${ignores}/api/cases?externalRef=R-${i}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      const body = (await a.json()) as { error?: { message: string } };
      if (a.status === 200) counts.ok++;
      else if (a.status >= 500) counts.s5xx++;
      else if (a.status === 429) {
        counts.s429++;
        expect(a.headers.get('retry-after')).toBe('7');
        expect(body.error!.message).toMatch(CHINESE);
      } else throw new Error(`unexpected ${a.status}`);
    };
    for (let i = 0; i < N; i += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => one(i + j)));
    // Bounds at about 4 standard deviations of a binomial share over 600 requests.
    expect(counts.s5xx / N).toBeGreaterThan(0.22);
    expect(counts.s5xx / N).toBeLessThan(0.38);
    expect(counts.s429 / N).toBeGreaterThan(0.13);
    expect(counts.s429 / N).toBeLessThan(0.27);
    expect(await sim.stats('ignores')).toMatchObject({ requests: N, status5xx: counts.s5xx, status429: counts.s429 });

    for (const faults of [{ rate5xx: 1 }, { rate429: 1 }]) {
      await sim.setFaults('ignores', faults);
      for (let i = 0; i < 5; i++) {
        const a = await request(ignores, 'POST', '/api/cases', { body: { externalRef: `S-${i}` }, key: `ks-${i}` });
        expect(a.status === 429 || a.status >= 500).toBe(true);
      }
    }
    expect(await sim.cases('ignores')).toEqual([]);
    expect((await sim.stats('ignores')).stored).toBe(0);
  });

  it('repeats the same run of random faults for the same seed', async () => {
    const run = async () => {
      await sim.setFaults('ignores', { rate5xx: 0.3, rate429: 0.3, dropAfterCommitRate: 0.3, seed: 42 });
      const seen: string[] = [];
      for (let i = 0; i < 40; i++) {
        const a = await request(ignores, 'POST', '/api/cases', { body: { externalRef: `SEED-${i}` } }).then(
          (r) => String(r.status),
          () => 'dropped',
        );
        seen.push(a);
      }
      return seen;
    };
    const first = await run();
    expect(new Set(first).size).toBeGreaterThanOrEqual(4); // 201, 429, 5xx, dropped all occur
    expect(await run()).toEqual(first);
    await sim.setFaults('ignores', {});
  });

  it('refuses a predictable set of payloads with 422 and a Chinese reason, storing none of them', async () => {
    await sim.reset('ignores');
    await sim.setFaults('ignores', { reject422: { rate: 0.5 } });
    const refs = Array.from({ length: 40 }, (_, i) => `2026-QZ-${i}`);
    const predicted = refs.filter((r) => refusedByRate(r, 0.5));
    expect(predicted.length).toBeGreaterThan(5);
    expect(predicted.length).toBeLessThan(35);
    for (let pass = 0; pass < 2; pass++) {
      for (const ref of refs) {
        const a = await request(ignores, 'POST', '/api/cases', { body: { externalRef: ref } });
        if (predicted.includes(ref)) {
          expect(a.status).toBe(422);
          const e = a.body.error as { code: string; message: string; field: string };
          expect(e.message).toMatch(CHINESE);
          expect(e).toEqual({ code: 'validation_failed', message: '申请人证件信息与本系统登记信息不一致，请核对后重新提交', field: 'applicant' });
        } else expect(a.status).toBe(201);
      }
    }
    const stored = (await sim.cases('ignores')).map((c) => c.externalRef);
    expect(stored.filter((r) => predicted.includes(r))).toEqual([]);
    expect(stored).toHaveLength((refs.length - predicted.length) * 2);

    await sim.setFaults('ignores', { reject422: { field: 'applicant.name', pattern: '^测试' } });
    const nested = await request(ignores, 'POST', '/api/cases', { body: { externalRef: 'F-0', applicant: { name: '测试乙' } } });
    expect(nested.status).toBe(422);
    expect(nested.body.error).toMatchObject({ field: 'applicant.name' });
    await sim.setFaults('ignores', { reject422: { field: 'applicantName', pattern: '^测试' } });
    const bad = await request(ignores, 'POST', '/api/cases', { body: { externalRef: 'F-1', applicantName: '测试甲' } });
    expect(bad.status).toBe(422);
    expect(bad.body.error).toMatchObject({ field: 'applicantName' });
    expect((bad.body.error as { message: string }).message).toMatch(CHINESE);
    expect((await request(ignores, 'POST', '/api/cases', { body: { externalRef: 'F-2', applicantName: '王芳' } })).status).toBe(201);
    const refsNow = (await sim.cases('ignores')).map((c) => c.externalRef);
    expect(refsNow).toContain('F-2');
    expect(refsNow).not.toContain('F-1');
  });

  it('drops the answer after committing: the client sees a dead socket, the case is stored', async () => {
    await sim.reset('honours');
    await sim.setFaults('honours', { dropAfterCommitRate: 1 });
    const err = await request(honours, 'POST', '/api/cases', { body: { externalRef: 'D-1' }, key: 'kd-1' }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).not.toBeNull();
    expect(errorCode(err)).not.toBe('ECONNREFUSED');
    expect(await sim.stats('honours')).toMatchObject({ stored: 1, dropped: 1 });
    await sim.setFaults('honours', {});
    const found = await request(honours, 'GET', '/api/cases?externalRef=D-1');
    expect(found.body.items).toHaveLength(1);
    // Re-sent with the same key to a target that honours keys: the original, marked duplicate.
    const again = await request(honours, 'POST', '/api/cases', { body: { externalRef: 'D-1' }, key: 'kd-1' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({ duplicate: true, caseNo: (found.body.items as { caseNo: string }[])[0]!.caseNo });
    expect(await sim.cases('honours')).toHaveLength(1);
  });

  it('honours idempotency keys on one target and ignores them on the other (duplicate stored)', async () => {
    await sim.reset();
    const first = await request(honours, 'POST', '/api/cases', { body: { externalRef: 'I-1' }, key: 'same' });
    const second = await request(honours, 'POST', '/api/cases', { body: { externalRef: 'I-1' }, key: 'same' });
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.body).toMatchObject({ caseNo: first.body.caseNo, duplicate: true });
    expect(await sim.cases('honours')).toHaveLength(1);
    expect((await sim.stats('honours')).duplicatesServed).toBe(1);

    const a = await request(ignores, 'POST', '/api/cases', { body: { externalRef: 'I-1' }, key: 'same' });
    const b = await request(ignores, 'POST', '/api/cases', { body: { externalRef: 'I-1' }, key: 'same' });
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.caseNo).not.toBe(b.body.caseNo);
    const stored = await sim.cases('ignores');
    expect(stored.map((c) => [c.externalRef, c.idempotencyKey])).toEqual([
      ['I-1', 'same'],
      ['I-1', 'same'],
    ]);
    // Switched by command.
    await sim.setFaults('ignores', { honourIdempotency: true });
    expect((await request(ignores, 'POST', '/api/cases', { body: { externalRef: 'I-1' }, key: 'same' })).status).toBe(200);
    await sim.reset('ignores');
    expect((await sim.targetInfo()).find((t) => t.id === 'ignores')!.honourIdempotency).toBe(false);
  });

  it('stores a key once even when the same request arrives 20 times at once', async () => {
    await sim.reset('honours');
    const answers = await Promise.all(
      Array.from({ length: 20 }, () => request(honours, 'POST', '/api/cases', { body: { externalRef: 'C-1' }, key: 'concurrent' })),
    );
    expect(answers.filter((a) => a.status === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.status === 200 && a.body.duplicate === true)).toHaveLength(19);
    expect(new Set(answers.map((a) => a.body.caseNo)).size).toBe(1);
    expect(await sim.cases('honours')).toHaveLength(1);
  });

  it('shifts the Date header by clockSkewS; refuses unknown or bad faults with a Chinese reason', async () => {
    await sim.setFaults('honours', { clockSkewS: -3600 });
    const a = await request(honours, 'GET', '/health');
    const skewS = (Date.parse(String(a.headers.date)) - Date.now()) / 1000;
    expect(skewS).toBeGreaterThan(-3603);
    expect(skewS).toBeLessThan(-3597);
    await sim.setFaults('honours', {});
    expect(Math.abs(Date.parse(String((await request(honours, 'GET', '/health')).headers.date)) - Date.now())).toBeLessThan(3000);

    for (const bad of [{ rate5xx: 2 }, { cutUploadAfterBytes: -1 }, { reject422: { field: 'x', pattern: '(' } }, { explode: true }]) {
      const res = await fetch(`${sim.control}/control/faults`, { method: 'POST', body: JSON.stringify({ target: 'honours', ...bad }) });
      expect(res.status).toBe(422);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(CHINESE);
    }
    expect((await fetch(`${sim.control}/control/stats?target=nope`)).status).toBe(404);
  });

  it('holdAnswers holds every /api/ answer, the request handled first, until faults without it are set; /health answers at once', async () => {
    await sim.setFaults('honours', { holdAnswers: true });
    let answered = false;
    const post = request(honours, 'POST', '/api/cases', { body: { externalRef: 'HOLD-1' }, key: 'k-hold-1' }).then((a) => {
      answered = true;
      return a;
    });
    expect((await request(honours, 'GET', '/health')).status).toBe(200);
    // Stored while its answer is held (no deadline: the test's bound is the limit).
    while (!(await sim.cases('honours')).some((c) => c.externalRef === 'HOLD-1')) await new Promise((r) => setTimeout(r, 20));
    await sim.setFaults('honours', { holdAnswers: true, clockSkewS: 0 }); // other faults, still holding
    expect(answered).toBe(false);
    await sim.setFaults('honours', {});
    const a = await post;
    expect(a.status).toBe(201);
    expect(a.body.caseNo).toBe((await sim.cases('honours')).find((c) => c.externalRef === 'HOLD-1')!.caseNo);
    expect((await fetch(`${sim.control}/control/faults`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ target: 'honours', holdAnswers: 1 }) })).status).toBe(422);
  });

  it('delays every answer by delayMs', async () => {
    await sim.setFaults('honours', { delayMs: 300 });
    const t0 = Date.now();
    expect((await request(honours, 'GET', '/health')).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    await sim.setFaults('honours', {});
  });

  describe('chunked uploads', () => {
    const CHUNK = 64 * 1024;
    const file = randomBytes(CHUNK * 4 + 1234);
    const digest = sha(file);
    let uploadId = '';
    const part = () => path.join(dataDir, 'uploads', `${uploadId}.part`);
    const put = (offset: number, bytes: Buffer) => request(honours, 'PUT', `/api/uploads/${uploadId}?offset=${offset}`, { raw: bytes });

    it('stores whole chunks; a cut mid-chunk leaves the stored offset at the last whole chunk', async () => {
      await sim.reset('honours');
      const created = await request(honours, 'POST', '/api/uploads', { body: { sha256: digest, size: file.length, name: '户口簿.jpg', externalRef: 'U-1' } });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ received: 0, chunkSize: CHUNK });
      uploadId = String(created.body.uploadId);

      expect((await put(0, file.subarray(0, CHUNK))).body).toEqual({ received: CHUNK });

      await sim.setFaults('honours', { cutUploadAfterBytes: 10_000, cutUploadTimes: 2 });
      for (let i = 0; i < 2; i++) {
        const err = await put(CHUNK, file.subarray(CHUNK, 2 * CHUNK)).then(
          () => null,
          (e: unknown) => e,
        );
        expect(err).not.toBeNull();
      }
      expect((await sim.stats('honours')).uploadsCut).toBe(2);
      expect((await request(honours, 'GET', `/api/uploads/${uploadId}`)).body).toMatchObject({ received: CHUNK, complete: false, size: file.length });
      await waitFor(() => fs.statSync(part()).size === CHUNK, 'the part file to be cut back to the last whole chunk');

      // A client that dies mid-chunk: nothing of that chunk either.
      await new Promise<void>((resolve) => {
        const req = http.request(`${honours}/api/uploads/${uploadId}?offset=${CHUNK}`, {
          method: 'PUT',
          agent: false,
          headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Length': CHUNK },
        });
        req.on('error', () => resolve());
        req.write(file.subarray(CHUNK, CHUNK + 20_000), () => setTimeout(() => req.destroy(), 50));
      });
      await waitFor(() => fs.statSync(part()).size === CHUNK, 'the aborted chunk to be discarded');
      expect((await request(honours, 'GET', `/api/uploads/${uploadId}`)).body).toMatchObject({ received: CHUNK });
      await sim.setFaults('honours', {});
    });

    it('answers 409 with the stored offset for a wrong offset, resumes and completes with the right hash', async () => {
      const wrong = await put(3 * CHUNK, file.subarray(3 * CHUNK, 4 * CHUNK));
      expect(wrong.status).toBe(409);
      expect(wrong.body).toMatchObject({ received: CHUNK });
      // Creating the same file again returns the upload in progress (resume).
      const again = await request(honours, 'POST', '/api/uploads', { body: { sha256: digest, size: file.length, name: '户口簿.jpg' } });
      expect(again.body).toMatchObject({ uploadId, received: CHUNK, complete: false });
      const early = await request(honours, 'POST', `/api/uploads/${uploadId}/complete`);
      expect(early.status).toBe(409);
      for (let off = CHUNK; off < file.length; off += CHUNK) {
        expect((await put(off, file.subarray(off, off + CHUNK))).body).toEqual({ received: Math.min(off + CHUNK, file.length) });
      }
      const done = await request(honours, 'POST', `/api/uploads/${uploadId}/complete`);
      expect(done.status).toBe(200);
      expect(done.body.sha256).toBe(digest);
      expect(sha(fs.readFileSync(part()))).toBe(digest);
      expect((await sim.stats('honours')).uploadsComplete).toBe(1);
      const fileId = String(done.body.fileId);
      // Same file again: already complete.
      expect((await request(honours, 'POST', '/api/uploads', { body: { sha256: digest, size: file.length, name: 'x.jpg' } })).body).toEqual({
        uploadId,
        complete: true,
        fileId,
      });
      // A case may reference it; an unknown file is refused.
      expect((await request(honours, 'POST', '/api/cases', { body: { externalRef: 'U-1', files: [{ fileId, sha256: digest, kind: '户口簿' }] } })).status).toBe(201);
      const unknown = await request(honours, 'POST', '/api/cases', { body: { externalRef: 'U-2', files: [{ fileId: 'Fnope' }] } });
      expect(unknown.status).toBe(422);
      expect(unknown.body.error).toMatchObject({ code: 'unknown_file', field: 'files' });
    });

    it('refuses to complete when the stored bytes do not hash to the declared sha256, and discards the upload', async () => {
      const bytes = randomBytes(5000);
      const created = await request(honours, 'POST', '/api/uploads', { body: { sha256: sha(Buffer.from('other')), size: bytes.length, name: 'a.pdf' } });
      uploadId = String(created.body.uploadId);
      expect((await put(0, bytes)).body).toEqual({ received: bytes.length });
      const done = await request(honours, 'POST', `/api/uploads/${uploadId}/complete`);
      expect(done.status).toBe(422);
      expect(done.body.error).toMatchObject({ code: 'hash_mismatch' });
      expect((done.body.error as { message: string }).message).toMatch(CHINESE);
      expect((await request(honours, 'GET', `/api/uploads/${uploadId}`)).status).toBe(404);
      expect(fs.existsSync(part())).toBe(false);
    });
  });

  it('keeps what it stored in its own SQLite file (WAL, synchronous=FULL)', async () => {
    const db = new Database(path.join(dataDir, 'vertical-sim.sqlite'), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const n = (db.prepare(`SELECT COUNT(*) AS n FROM cases WHERE target = 'honours'`).get() as { n: number }).n;
      expect(n).toBe((await sim.cases('honours')).length);
    } finally {
      db.close();
    }
  });
});

describe('vertical-system simulator (its own process)', () => {
  it('survives kill -9 under load: every case it answered 201 for, keys and a half-done upload are there after a restart', async () => {
    const dataDir = tempDir('vsim-proc-');
    const targets = [target('gongan', true, 4096), target('scjg', false, 4096)];
    const first = await spawnVerticalSim({ dataDir, targets });
    const file = randomBytes(10_000);
    let uploadId = '';
    const acked = new Map<string, string>(); // externalRef → caseNo
    const g1 = first.targets.gongan!;
    const up = await request(g1, 'POST', '/api/uploads', { body: { sha256: sha(file), size: file.length, name: '营业执照.pdf' } });
    uploadId = String(up.body.uploadId);
    expect((await request(g1, 'PUT', `/api/uploads/${uploadId}?offset=0`, { raw: file.subarray(0, 4096) })).body).toEqual({ received: 4096 });

    let n = 0;
    let stop = false;
    const writer = async () => {
      while (!stop) {
        const ref = `P-${n++}`;
        try {
          const a = await request(g1, 'POST', '/api/cases', { body: { externalRef: ref }, key: `kp-${ref}` });
          expect(a.status).toBe(201);
          acked.set(ref, String(a.body.caseNo));
        } catch (e) {
          if (!stop) throw e; // only the kill may cut a request
        }
      }
    };
    const writers = [writer(), writer(), writer(), writer()];
    // The kill comes after a drawn number of cases answered 201 (the simulator's own progress), with requests in flight.
    const { int } = killRandom('vertical-sim cases');
    const killAfter = int(10, 60);
    await waitFor(() => acked.size >= killAfter, `${killAfter} acknowledged cases`, 60_000);
    stop = true;
    await first.kill('SIGKILL');
    await Promise.all(writers);
    expect(first.proc.signalCode).toBe('SIGKILL');

    // Same ports, same data dir.
    const second = await spawnVerticalSim({ dataDir, targets: targets.map((t) => ({ ...t, port: first.ports[t.id]! })) });
    try {
      expect(second.ports).toEqual(first.ports);
      const g = second.targets.gongan!;
      const stored = new Map((await second.cases('gongan')).map((c) => [c.externalRef, c.caseNo]));
      for (const [ref, caseNo] of acked) expect(stored.get(ref)).toBe(caseNo);
      const [someRef, someNo] = [...acked][3]!;
      const dup = await request(g, 'POST', '/api/cases', { body: { externalRef: someRef }, key: `kp-${someRef}` });
      expect(dup.body).toMatchObject({ duplicate: true, caseNo: someNo });
      expect((await request(g, 'GET', `/api/uploads/${uploadId}`)).body).toMatchObject({ received: 4096, complete: false });
      for (let off = 4096; off < file.length; off += 4096) {
        const a = await request(g, 'PUT', `/api/uploads/${uploadId}?offset=${off}`, { raw: file.subarray(off, off + 4096) });
        expect(a.body).toEqual({ received: Math.min(off + 4096, file.length) });
      }
      expect((await request(g, 'POST', `/api/uploads/${uploadId}/complete`)).body).toMatchObject({ sha256: sha(file) });
    } finally {
      await second.close();
    }
    expect(second.proc.exitCode).toBe(0);
  }, 120_000);

  it('kill -9 in the middle of a chunk: after the restart the offset is the last whole chunk and the upload completes', async () => {
    const dataDir = tempDir('vsim-cut-');
    const MB = 1024 * 1024;
    const file = randomBytes(6 * MB);
    const targets = [target('gongan', true, 2 * MB)];
    const first = await spawnVerticalSim({ dataDir, targets });
    const g1 = first.targets.gongan!;
    const uploadId = String((await request(g1, 'POST', '/api/uploads', { body: { sha256: sha(file), size: file.length, name: 'scan.pdf' } })).body.uploadId);
    expect((await request(g1, 'PUT', `/api/uploads/${uploadId}?offset=0`, { raw: file.subarray(0, 2 * MB) })).body).toEqual({ received: 2 * MB });
    const partFile = path.join(dataDir, 'uploads', `${uploadId}.part`);
    // A 4 MB chunk of which only a part is sent; the simulator dies while it waits for the rest.
    const req = http.request(`${g1}/api/uploads/${uploadId}?offset=${2 * MB}`, {
      method: 'PUT',
      agent: false,
      headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Length': 4 * MB },
    });
    req.on('error', () => undefined);
    // A drawn part of the chunk is sent; the kill comes once some of it has reached the simulator's disk.
    const { int } = killRandom('vertical-sim chunk');
    const sent = int(1, 4 * MB - 1);
    req.write(file.subarray(2 * MB, 2 * MB + sent));
    await waitFor(() => fs.statSync(partFile).size > 2 * MB, 'part of the chunk to reach the disk', 60_000);
    await first.kill('SIGKILL');
    req.destroy();

    const second = await spawnVerticalSim({ dataDir, targets: targets.map((t) => ({ ...t, port: first.ports[t.id]! })) });
    try {
      const g = second.targets.gongan!;
      expect((await request(g, 'GET', `/api/uploads/${uploadId}`)).body).toMatchObject({ received: 2 * MB, complete: false });
      for (let off = 2 * MB; off < file.length; off += 2 * MB) {
        expect((await request(g, 'PUT', `/api/uploads/${uploadId}?offset=${off}`, { raw: file.subarray(off, off + 2 * MB) })).body).toEqual({ received: off + 2 * MB });
      }
      expect((await request(g, 'POST', `/api/uploads/${uploadId}/complete`)).body).toMatchObject({ sha256: sha(file) });
      expect(fs.statSync(partFile).size).toBe(file.length);
    } finally {
      await second.close();
    }
  }, 120_000);

  it('streams a 200 MB file through disk: the simulator process does not hold it (or a 128 MB chunk) in memory', async () => {
    const dataDir = tempDir('vsim-big-');
    const MB = 1024 * 1024;
    const SIZE = 200 * MB + 12_345;
    const CHUNK = 128 * MB;
    const base = randomBytes(MB);
    /** The file, 1 MB blocks made distinct by their index; generated as it is sent. */
    function* bytes(from: number, to: number): Generator<Buffer> {
      for (let p = from; p < to; ) {
        const i = Math.floor(p / MB);
        const blk = Buffer.from(base);
        blk.writeUInt32BE(i, 0);
        const end = Math.min((i + 1) * MB, to);
        yield blk.subarray(p - i * MB, end - i * MB);
        p = end;
      }
    }
    const h = createHash('sha256');
    for (const b of bytes(0, SIZE)) h.update(b);
    const digest = h.digest('hex');
    const sim = await spawnVerticalSim({ dataDir, targets: [target('big', true, CHUNK)] });
    const hwmKb = () => Number(/VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${sim.pid}/status`, 'utf8'))![1]);
    try {
      const url = sim.targets.big!;
      const before = hwmKb();
      const uploadId = String((await request(url, 'POST', '/api/uploads', { body: { sha256: digest, size: SIZE, name: 'big.bin' } })).body.uploadId);
      for (let off = 0; off < SIZE; off += CHUNK) {
        const end = Math.min(off + CHUNK, SIZE);
        const answer = await new Promise<Answer>((resolve, reject) => {
          const req = http.request(`${url}/api/uploads/${uploadId}?offset=${off}`, {
            method: 'PUT',
            agent: false,
            headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Length': end - off },
          });
          req.on('error', reject);
          req.on('response', (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString('utf8')));
            res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: JSON.parse(text) as Record<string, unknown> }));
          });
          void (async () => {
            for (const b of bytes(off, end)) if (!req.write(b)) await new Promise((r) => req.once('drain', r));
            req.end();
          })();
        });
        expect(answer.body).toEqual({ received: end });
      }
      const done = await request(url, 'POST', `/api/uploads/${uploadId}/complete`);
      expect(done.body).toMatchObject({ sha256: digest });
      expect(fs.statSync(path.join(dataDir, 'uploads', `${uploadId}.part`)).size).toBe(SIZE);
      const grewMb = (hwmKb() - before) / 1024;
      console.log(`vertical-sim 200 MB upload: simulator peak RSS grew by ${grewMb.toFixed(1)} MB (from ${(before / 1024).toFixed(1)} MB)`);
      // Holding the chunk would add at least 128 MB, the file 200 MB; streaming costs buffers and GC slack.
      expect(grewMb).toBeLessThan(100);
    } finally {
      await sim.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
