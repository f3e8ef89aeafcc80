import net from 'node:net';
import path from 'node:path';
import { openTestStore } from '../helpers/store';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../e2e/support/host';
import { REQUEST_HEAD_TIMEOUT_MS } from '../../electron/host/browser-host';

/**
 * No request can take the browser host down (issue 12, point 9). The built host runs as its own
 * process; every request goes over a raw socket, so the test controls every byte (methods Node's
 * client refuses to send, broken headers, bodies that do not match their length).
 *
 * The random part prints its seed; `DESK_FUZZ_SEED=<seed> npx vitest run
 * tests/integration/host-requests.test.ts` replays the same requests. Counts: DESK_FUZZ_RUNS
 * (requests per property, default 1500); each property also stops after 45 s of its own.
 */
const SEED = process.env.DESK_FUZZ_SEED ? Number(process.env.DESK_FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const RUNS = Number(process.env.DESK_FUZZ_RUNS ?? 1500);
const TIME_LIMIT_MS = 45_000;
/** Every status a request may get: never a 5xx, never a connection dropped without an answer. */
const EXPECTED = new Set([200, 400, 401, 403, 404, 405, 413, 415, 417, 431]);

let host: RunningHost;
let hostHeader: string;
let session: string;
let auditBefore: number;

interface Answer {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function auditLength(): number {
  const db = openTestStore(path.join(host.dataDir, 'desk.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/**
 * Sends bytes on a new connection and reads until the host closes it (every request says
 * `Connection: close`; one that the host keeps open is closed by this client once a complete
 * answer has arrived). Every response must be well-formed HTTP/1.1: status line, header lines, a
 * body of exactly Content-Length bytes. The client never half-closes first: Node drops the answer
 * of a request whose client has already ended its side.
 */
function exchange(bytes: Buffer, opts: { head?: boolean; waitMs?: number } = {}): Promise<Answer[]> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host: '127.0.0.1', port: host.port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete answer in ${(opts.waitMs ?? 10_000) / 1000} s to ${JSON.stringify(bytes.toString('latin1').slice(0, 300))}`));
    }, opts.waitMs ?? 10_000);
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      try {
        const sofar = readAnswers(Buffer.concat(chunks), opts.head ?? false);
        if (sofar.answers.length > 0 && sofar.rest === 0) socket.end();
      } catch {
        socket.end(); // malformed: reported by the strict parse on close
      }
    });
    socket.on('error', (e: NodeJS.ErrnoException) => {
      // The host may close while the last bytes are still on their way (a refusal before the body).
      if (e.code === 'EPIPE' || e.code === 'ECONNRESET') return;
      clearTimeout(timer);
      reject(e);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parseAnswers(Buffer.concat(chunks), opts.head ?? false));
      } catch (e) {
        reject(new Error(`${(e as Error).message} — request ${JSON.stringify(bytes.toString('latin1').slice(0, 300))}`));
      }
    });
    socket.write(bytes);
  });
}

/** The complete responses at the start of `raw`, and how many bytes follow them; throws on a malformed one. */
function readAnswers(raw: Buffer, head: boolean): { answers: Answer[]; rest: number } {
  const answers: Answer[] = [];
  let pos = 0;
  while (pos < raw.length) {
    const end = raw.indexOf('\r\n\r\n', pos, 'latin1');
    if (end === -1) break;
    const lines = raw.subarray(pos, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.1 (\d{3}) [\x20-\x7e]*$/.exec(lines[0] ?? '');
    if (!m) throw new Error(`malformed status line ${JSON.stringify(lines[0])}`);
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const h = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+): ?([\x20-\x7e\t]*)$/.exec(line);
      if (!h) throw new Error(`malformed header line ${JSON.stringify(line)}`);
      headers[h[1]!.toLowerCase()] = h[2]!;
    }
    const status = Number(m[1]);
    if (status >= 100 && status < 200) {
      pos = end + 4; // 100 Continue before the real answer
      continue;
    }
    const length = headers['content-length'];
    if (length === undefined) throw new Error(`status ${status} without Content-Length`);
    const n = head ? 0 : Number(length); // a HEAD answer has the length of the body it does not send
    if (!Number.isInteger(n) || n < 0) throw new Error(`bad Content-Length ${length}`);
    if (raw.length - (end + 4) < n) break;
    answers.push({ status, headers, body: raw.subarray(end + 4, end + 4 + n) });
    pos = end + 4 + n;
  }
  return { answers, rest: raw.length - pos };
}

function parseAnswers(raw: Buffer, head: boolean): Answer[] {
  const { answers, rest } = readAnswers(raw, head);
  if (rest > 0) throw new Error(`incomplete response: ${JSON.stringify(raw.subarray(raw.length - rest, raw.length - rest + 200).toString('latin1'))}`);
  if (answers.length === 0) throw new Error('the host closed the connection without an answer');
  return answers;
}

function request(method: string, target: string, headers: [string, string][], body: Buffer = Buffer.alloc(0)): Buffer {
  const head = `${method} ${target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`;
  return Buffer.concat([Buffer.from(head, 'latin1'), body]);
}

const rpcHeaders = (extra: [string, string][] = []): [string, string][] => [
  ['Host', hostHeader],
  ['Content-Type', 'application/json'],
  ['Authorization', `Bearer ${host.token}`],
  ['Connection', 'close'],
  ...extra,
];

async function rpc(method: string, input: unknown, sessionToken?: string): Promise<{ ok: boolean; value?: unknown; error?: { code: string } }> {
  const body = Buffer.from(JSON.stringify({ id: 'check', method, input, ...(sessionToken ? { session: sessionToken } : {}) }));
  const [a] = await exchange(request('POST', '/api/rpc', rpcHeaders([['Content-Length', String(body.length)]]), body));
  expect(a!.status).toBe(200);
  return JSON.parse(a!.body.toString('utf8')) as { ok: boolean };
}

/** The host is up, answers with the token it started with, and the signed-in session still works. */
async function stillServing(): Promise<void> {
  expect(host.proc.exitCode, `host exited:\n${host.output().slice(-2000)}`).toBeNull();
  expect(host.proc.signalCode).toBeNull();
  expect(await rpc('system.status', {})).toMatchObject({ ok: true, value: { state: 'ready' } });
  expect(await rpc('home.summary', {}, session)).toMatchObject({ ok: true });
}

beforeAll(async () => {
  host = await startHost({ port: 0 });
  if (host.state !== 'ready') throw new Error(`host came up in ${host.state}: ${host.output()}`);
  hostHeader = `127.0.0.1:${host.port}`;
  const signIn = await rpc('auth.signIn', { username: 'admin', password: 'Desk@2026' });
  session = (signIn.value as { token: string }).token;
  auditBefore = auditLength();
  console.log(`host-requests: fast-check seed ${SEED} (replay with DESK_FUZZ_SEED=${SEED}), ${RUNS} requests per property`);
});
afterAll(async () => {
  await host?.kill();
});

describe('browser host: requests that used to kill it', () => {
  const get = (target: string, headers: [string, string][] = [['Host', hostHeader]]) => exchange(request('GET', target, [...headers, ['Connection', 'close']]));

  it('GET // is a 400 with a Chinese message, and the host goes on', async () => {
    const [a] = await get('//');
    expect(a!.status).toBe(400);
    expect(JSON.parse(a!.body.toString('utf8'))).toEqual({ error: { code: 'BAD_REQUEST', message: '请求地址不正确。' } });
    await stillServing();
  });

  it('GET /index.html%00.js (a NUL byte) is a 400, and the host goes on', async () => {
    const [a] = await get('/index.html%00.js');
    expect(a!.status).toBe(400);
    expect(JSON.parse(a!.body.toString('utf8')).error.message).toBe('请求地址不正确。');
    await stillServing();
  });

  it('encoded traversal (%2e%2e) is a 400 and never a file outside the renderer', async () => {
    for (const target of ['/%2e%2e/%2e%2e/%2e%2e/etc/passwd', '/assets/%2E%2E%2f%2E%2E%2fdesk.sqlite', '/..%5c..%5cdesk.sqlite']) {
      const [a] = await get(target);
      expect(a!.status, target).toBe(400);
      expect(a!.body.toString('latin1')).not.toContain('root:');
    }
    await stillServing();
  });

  it('TRACE, PUT, DELETE and CONNECT are 405; an unknown method is a 400', async () => {
    for (const m of ['TRACE', 'PUT', 'DELETE', 'OPTIONS']) {
      const [a] = await exchange(request(m, '/', [['Host', hostHeader], ['Connection', 'close']]));
      expect(a!.status, m).toBe(405);
      expect(a!.headers.allow).toBe('GET, HEAD');
    }
    const [rpcGet] = await get('/api/rpc');
    expect(rpcGet!.status).toBe(405);
    expect(rpcGet!.headers.allow).toBe('POST');
    const [connect] = await exchange(request('CONNECT', hostHeader, [['Host', hostHeader]]));
    expect(connect!.status).toBe(405);
    const [unknown] = await exchange(request('BREW', '/', [['Host', hostHeader]]));
    expect(unknown!.status).toBe(400);
    await stillServing();
  });

  it('an absurd Host header is refused with 403 (or 400 when it cannot be parsed)', async () => {
    const absurd: [string, number][] = [
      ['h'.repeat(8000), 403],
      ['127.0.0.1:' + host.port + '.evil.example', 403],
      ['', 403],
      ['[::1]:99999999999999999999', 403],
      ['127.0.0.1:' + host.port + '\u0000', 400],
      ['\u00e4\u00f6\u00fc:' + host.port, 403],
    ];
    for (const [value, status] of absurd) {
      const [a] = await get('/', [['Host', value]]);
      expect(a!.status, JSON.stringify(value.slice(0, 40))).toBe(status);
    }
    const [two] = await exchange(request('GET', '/', [['Host', hostHeader], ['Host', 'evil.example'], ['Connection', 'close']]));
    expect(two!.status).toBe(400);
    const [none] = await exchange(Buffer.from('GET / HTTP/1.1\r\nConnection: close\r\n\r\n'));
    expect(none!.status).toBe(400); // HTTP/1.1 requires Host; Node's parser refuses
    await stillServing();
  });

  it('oversize headers are a 431, a declared body over 64 MB a 413, broken chunking a 400, an unknown Expect a 417', async () => {
    const [big] = await exchange(request('GET', '/', [['Host', hostHeader], ['X-Big', 'x'.repeat(20_000)]]));
    expect(big!.status).toBe(431);
    const [huge] = await exchange(request('POST', '/api/rpc', rpcHeaders([['Content-Length', String(65 * 1024 * 1024)]]), Buffer.from('{')));
    expect(huge!.status).toBe(413);
    const [chunked] = await exchange(request('POST', '/api/rpc', rpcHeaders([['Transfer-Encoding', 'chunked']]), Buffer.from('zz\r\nnot a chunk\r\n0\r\n\r\n')));
    expect(chunked!.status).toBe(400);
    const [expectation] = await exchange(request('POST', '/api/rpc', rpcHeaders([['Expect', 'telepathy'], ['Content-Length', '2']]), Buffer.from('{}')));
    expect(expectation!.status).toBe(417);
    expect(JSON.parse(expectation!.body.toString('utf8')).error.message).toBe('请求格式不正确。');
    await stillServing();
  });
});

// ---------------------------------------------------------------------------
// Random requests
// ---------------------------------------------------------------------------

const PIECES = ['..', '.', '%2e%2e', '%2E', '%00', '%', '%ZZ', '%c0%af', '%5c', '\\', 'C:', '~', '', '%FF', '王芳', 'api', 'rpc', 'index.html', 'assets', 'a.js', 'x.wasm', '%2f', '?', '#', ';', '%0d%0a', '*'];
const segment = fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 12 }), fc.stringMatching(/^[A-Za-z0-9._~%-]{1,16}$/));
const target = fc.oneof(
  { weight: 1, arbitrary: fc.constantFrom('/', '//', '/api/rpc', '/api/rpc/', '/API/RPC', '/api//rpc', '/index.html', '/index.html%00.js', '*', 'http://evil.example/x', '/%2e%2e/%2e%2e/etc/passwd') },
  { weight: 4, arbitrary: fc.tuple(fc.array(segment, { maxLength: 8 }), fc.option(fc.string({ maxLength: 20 }))).map(([s, q]) => '/' + s.join('/') + (q === null ? '' : `?${q}`)) },
);
const method = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('GET', 'HEAD', 'POST') },
  { weight: 2, arbitrary: fc.constantFrom('PUT', 'DELETE', 'OPTIONS', 'TRACE', 'PATCH', 'PROPFIND', 'get', 'M-SEARCH', 'PRI') },
  { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z]{1,10}$/) },
);
const hostValue = fc.oneof(
  { weight: 6, arbitrary: fc.constant('ok') },
  { weight: 1, arbitrary: fc.constant('localhost') },
  { weight: 2, arbitrary: fc.string({ maxLength: 300 }) },
);
const auth = fc.constantFrom('token', 'none', 'wrong', 'token-lowercase-bearer');
const extraHeader = fc.tuple(fc.oneof(fc.constantFrom('Origin', 'Content-Type', 'Expect', 'Transfer-Encoding', 'Upgrade', 'X-Forwarded-For', 'Cookie'), fc.stringMatching(/^[A-Za-z-]{1,20}$/)), fc.string({ maxLength: 200 }));
const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .record({
      id: fc.oneof(fc.string({ maxLength: 70 }), fc.integer()),
      method: fc.oneof(fc.constantFrom('system.status', 'auth.signIn', 'setup.initialize', 'intake.start', 'verification.board', 'users.create', '__proto__', 'constructor'), fc.string({ maxLength: 30 })),
      input: fc.anything({ maxDepth: 3 }),
      session: fc.option(fc.string({ maxLength: 80 }), { nil: undefined }),
    })
    .map((v) => JSON.stringify(v)),
);
const body = fc.oneof(
  { weight: 3, arbitrary: jsonish.map((s) => Buffer.from(s, 'utf8')) },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 2048 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
);
const framing = fc.constantFrom('length', 'length', 'length', 'chunked', 'none', 'declared-huge');

interface Fuzzed {
  method: string;
  target: string;
  host: string;
  auth: string;
  contentType: string | null;
  extra: [string, string][];
  body: Buffer;
  framing: string;
}

/** Mostly `good`, sometimes anything `bad` gives: so that many requests get past each check in turn. */
const mostly = <T,>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<T>, badWeight = 1) => fc.oneof({ weight: 6, arbitrary: good }, { weight: badWeight, arbitrary: bad });

const fuzzed = (rpcOnly: boolean): fc.Arbitrary<Fuzzed> =>
  fc.record({
    method: rpcOnly ? mostly(fc.constant('POST'), method) : method,
    target: rpcOnly ? mostly(fc.constant('/api/rpc'), fc.constantFrom('/api/rpc?x=1', '/api/rpc%00', '/api/rpc/..', '//api/rpc')) : target,
    host: rpcOnly ? mostly(fc.constant('ok'), hostValue) : hostValue,
    auth: rpcOnly ? mostly(fc.constant('token'), auth, 2) : fc.constantFrom('none', 'token', 'wrong'),
    contentType: rpcOnly
      ? mostly(fc.constantFrom('application/json', 'application/json; charset=utf-8'), fc.option(fc.oneof(fc.constantFrom('text/plain', 'multipart/form-data'), fc.string({ maxLength: 40 }))))
      : fc.option(fc.oneof(fc.constantFrom('application/json', 'text/plain'), fc.string({ maxLength: 40 }))),
    extra: rpcOnly ? mostly(fc.constant([]), fc.array(extraHeader, { maxLength: 4 })) : fc.array(extraHeader, { maxLength: 4 }),
    body,
    framing,
  });

/** Header values as a raw client could send them: CR, LF and NUL are what would change the framing. */
const clean = (s: string) => s.replace(/[\r\n\0]/g, ' ');

function encode(f: Fuzzed): Buffer {
  const headers: [string, string][] = [['Host', f.host === 'ok' ? hostHeader : f.host === 'localhost' ? `localhost:${host.port}` : clean(f.host)]];
  if (f.auth === 'token') headers.push(['Authorization', `Bearer ${host.token}`]);
  if (f.auth === 'wrong') headers.push(['Authorization', `Bearer ${host.token.slice(0, -1)}x`]);
  if (f.auth === 'token-lowercase-bearer') headers.push(['Authorization', `bearer ${host.token}`]);
  if (f.contentType !== null) headers.push(['Content-Type', clean(f.contentType)]);
  for (const [k, v] of f.extra) if (!/^(content-length|transfer-encoding|host|connection)$/i.test(k)) headers.push([k, clean(v)]);
  headers.push(['Connection', 'close']);
  let payload = f.body;
  if (f.framing === 'length') headers.push(['Content-Length', String(f.body.length)]);
  else if (f.framing === 'declared-huge') headers.push(['Content-Length', String(100 * 1024 * 1024)]);
  else if (f.framing === 'chunked') {
    headers.push(['Transfer-Encoding', 'chunked']);
    payload = Buffer.concat([Buffer.from(`${f.body.length.toString(16)}\r\n`), f.body, Buffer.from(f.body.length ? '\r\n0\r\n\r\n' : '\r\n')]);
  } else payload = Buffer.alloc(0); // no framing: a body would be read as the next request
  return request(f.method, clean(f.target).replace(/ /g, '%20'), headers, payload);
}

/** True when this request may legitimately reach the dispatcher (the only way to a 200 from /api/rpc). */
const carriesToken = (f: Fuzzed) => f.auth === 'token';

/** Statuses seen per property, printed and checked for reach (the requests must get past the checks too). */
const seen = new Map<string, Map<number, number>>();
const tally = (property: string, status: number) => {
  const m = seen.get(property) ?? new Map<number, number>();
  m.set(status, (m.get(status) ?? 0) + 1);
  seen.set(property, m);
};
const report = (property: string) => {
  const m = seen.get(property) ?? new Map<number, number>();
  console.log(`host-requests ${property}: ${[...m.entries()].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k}×${v}`).join(' ')}`);
  return m;
};

async function check(property: string, f: Fuzzed): Promise<void> {
  const answers = await exchange(encode(f), { head: f.method === 'HEAD' });
  for (const a of answers) {
    tally(property, a.status);
    if (!EXPECTED.has(a.status)) throw new Error(`unexpected status ${a.status}: ${a.body.toString('utf8').slice(0, 300)}`);
    if (a.status >= 400 && a.status !== 431 && a.body.length > 0) {
      const msg = (JSON.parse(a.body.toString('utf8')) as { error: { message: string } }).error.message;
      if (!/[\u4e00-\u9fff]/.test(msg)) throw new Error(`refusal without a Chinese message: ${msg}`);
    }
  }
  const first = answers[0]!;
  if (f.target.startsWith('/api/rpc') && f.target.length === 8 && first.status === 200) {
    if (!carriesToken(f)) throw new Error('an /api/rpc call without the token was answered 200');
    const reply = JSON.parse(first.body.toString('utf8')) as { ok: unknown };
    if (typeof reply.ok !== 'boolean') throw new Error(`200 without an envelope: ${first.body.toString('utf8').slice(0, 200)}`);
  }
}

describe('browser host: random requests', () => {
  const params = () => ({ seed: SEED, numRuns: RUNS, interruptAfterTimeLimit: TIME_LIMIT_MS, markInterruptAsFailure: false, endOnFailure: true });

  it('the static server answers every random request with a well-formed expected answer', async () => {
    await fc.assert(fc.asyncProperty(fuzzed(false), (f) => check('static', f)), params());
    await stillServing();
    const m = report('static');
    for (const status of [400, 403, 404, 405]) expect(m.get(status) ?? 0, `answers with ${status}`).toBeGreaterThan(0);
  }, 120_000);

  it('the RPC endpoint answers every random request with a well-formed expected answer and writes nothing', async () => {
    await fc.assert(fc.asyncProperty(fuzzed(true), (f) => check('rpc', f)), { ...params(), seed: SEED + 1 });
    await stillServing();
    // Many reached the dispatcher (200 with a refusal envelope), many were stopped before it.
    const m = report('rpc');
    for (const status of [200, 400, 401, 403, 413, 415]) expect(m.get(status) ?? 0, `answers with ${status}`).toBeGreaterThan(0);
    // Nothing reached a handler that writes: the audit chain has exactly the entries it had before.
    expect(auditLength()).toBe(auditBefore);
  }, 120_000);

  it('garbage bytes on the socket are answered 400 (or 431) and never end the host', async () => {
    const garbage = fc.oneof(
      fc
        .uint8Array({ minLength: 1, maxLength: 512 })
        // Only CR and LF is no request at all: blank lines a server skips before a request line (RFC 9112 §2.2) — the test below.
        .filter((a) => a.some((b) => b !== 13 && b !== 10))
        .map((a) => Buffer.concat([Buffer.from(a), Buffer.from('\r\n\r\n')])),
      fc.tuple(method, fc.string({ maxLength: 100 }), fc.string({ maxLength: 200 })).map(([m, t, h]) =>
        Buffer.from(`${m} ${t} HTTP/1.1\r\nHost: ${hostHeader}\r\n${h}\r\n\r\n`, 'utf8'),
      ),
    );
    await fc.assert(
      fc.asyncProperty(garbage, async (bytes) => {
        const answers = await exchange(bytes, { head: bytes.subarray(0, 5).toString('latin1') === 'HEAD ' });
        for (const a of answers) {
          tally('garbage', a.status);
          if (!EXPECTED.has(a.status)) throw new Error(`unexpected status ${a.status}`);
        }
      }),
      { ...params(), seed: SEED + 2, numRuns: Math.ceil(RUNS / 3) },
    );
    await stillServing();
    expect(report('garbage').get(400) ?? 0).toBeGreaterThan(0);
    expect(auditLength()).toBe(auditBefore);
  }, 120_000);

  // Found by the property above (seed 2111621469): "\r\r\n\r\n" was never answered, because Node's parser
  // skips blank lines before a request line (RFC 9112 §2.2) and then waited for its 60-second head timeout.
  it('a connection sending only blank lines is answered 408 at the head timeout, and blank lines before a request are skipped', async () => {
    const started = Date.now();
    const [idle] = await exchange(Buffer.from('\r\r\n\r\n', 'latin1'), { waitMs: REQUEST_HEAD_TIMEOUT_MS + 10_000 });
    expect(idle!.status).toBe(408);
    expect(Date.now() - started).toBeGreaterThanOrEqual(REQUEST_HEAD_TIMEOUT_MS - 1_000);
    const [served] = await exchange(Buffer.concat([Buffer.from('\r\n\r\n', 'latin1'), request('GET', '/', [['Host', hostHeader], ['Connection', 'close']])]));
    expect(served!.status).toBe(200);
    await stillServing();
  }, REQUEST_HEAD_TIMEOUT_MS + 30_000);
});
