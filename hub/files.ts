import { createHash } from 'node:crypto';
import type pg from 'pg';
import { Refusal, type Authed } from './server';

/**
 * Content-addressed files on the hub (docs/hub.md: files travel once). The bytes live in
 * PostgreSQL — `hub_files` (one row per SHA-256: size, type, bytes received so far) and
 * `hub_file_chunks` (bytea, one row per chunk at its offset) — so the hub keeps no state outside
 * the database: its backups, its standby and every hub process behind a load balancer have them.
 *
 * POST /v1/files/query {files:[{sha256,size,mime}]}  → for each: have (bytes held), complete
 * PUT  /v1/files/<sha>?offset=N&size=S&mime=M  body = bytes [N, N+len)  → appended at N only if the
 *      hub holds exactly N bytes (else 409 with `have`: the desk goes on from there); the chunk, the
 *      new count and the nonce in one transaction; at the last byte the SHA-256 of the whole is
 *      checked before the file is called complete (a mismatch discards the bytes: 422).
 * GET  /v1/files/<sha>?offset=N&length=L  → those bytes of a complete file (raw, signed like any answer).
 */

export interface FileKillPoint {
  chunk: number;
}

const SHA = /^[0-9a-f]{64}$/;
const MAX_QUERY = 10_000;
const MAX_READ = 4 * 1024 * 1024;

type Result = { status: number; json: unknown };
type Spend = (c: pg.PoolClient | pg.Pool) => Promise<void>;
type Log = (event: string, detail: Record<string, unknown>) => void;

let chunksCommitted = 0;

export async function fileRoute(pool: pg.Pool, a: Authed, method: string, url: URL, spend: Spend, killAt: FileKillPoint | null, log: Log): Promise<Result> {
  if (method === 'POST' && url.pathname === '/v1/files/query') return query(pool, a, spend);
  const m = /^\/v1\/files\/([0-9a-f]{64})$/.exec(url.pathname);
  if (m && method === 'PUT') return append(pool, a, m[1]!, url, spend, killAt, log);
  if (m && method === 'GET') return read(pool, m[1]!, url, spend);
  throw new Refusal(404, 'NOT_FOUND', '没有这个接口。', `no route ${method} ${url.pathname}`);
}

async function query(pool: pg.Pool, a: Authed, spend: Spend): Promise<Result> {
  let files: { sha256?: unknown }[];
  try {
    files = (JSON.parse(a.body.toString('utf8')) as { files: { sha256?: unknown }[] }).files;
  } catch {
    throw new Refusal(400, 'BAD_JSON', '请求内容不是有效的 JSON。', 'body is not JSON');
  }
  if (!Array.isArray(files) || files.length > MAX_QUERY || files.some((f) => typeof f?.sha256 !== 'string' || !SHA.test(f.sha256))) {
    throw new Refusal(422, 'BAD_FILES', '文件清单无效。', `files must be up to ${MAX_QUERY} {sha256} with lowercase hex SHA-256`);
  }
  await spend(pool);
  const shas = files.map((f) => f.sha256 as string);
  const rows = (await pool.query<{ sha256: string; received: string; completed_at: Date | null }>('SELECT sha256, received, completed_at FROM hub_files WHERE sha256 = ANY($1)', [shas])).rows;
  const held = new Map(rows.map((r) => [r.sha256, r]));
  return {
    status: 200,
    json: { files: shas.map((sha256) => ({ sha256, have: Number(held.get(sha256)?.received ?? 0), complete: !!held.get(sha256)?.completed_at })) },
  };
}

async function append(pool: pg.Pool, a: Authed, sha256: string, url: URL, spend: Spend, killAt: FileKillPoint | null, log: Log): Promise<Result> {
  const offset = Number(url.searchParams.get('offset'));
  const size = Number(url.searchParams.get('size'));
  const mime = url.searchParams.get('mime') ?? '';
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(size) || size < 0 || !mime || offset + a.body.length > size) {
    throw new Refusal(422, 'BAD_CHUNK', '文件分段的位置或大小无效。', `chunk offset=${url.searchParams.get('offset')} size=${url.searchParams.get('size')} length=${a.body.length}`);
  }
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await spend(c);
    await c.query(`INSERT INTO hub_files (sha256, size, mime, first_desk) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING`, [sha256, size, mime, a.desk.desk_id]);
    const f = (await c.query<{ size: string; received: string; completed_at: Date | null }>('SELECT size, received, completed_at FROM hub_files WHERE sha256 = $1 FOR UPDATE', [sha256])).rows[0]!;
    const have = Number(f.received);
    if (Number(f.size) !== size) {
      await c.query('ROLLBACK');
      throw new Refusal(422, 'SIZE_MISMATCH', '文件大小与全厅中心记录的不一致。', `file ${sha256} is ${f.size} bytes at the hub, chunk says ${size}`);
    }
    if (f.completed_at || have !== offset) {
      // Held already, or an earlier attempt's chunk did commit: nothing written but the nonce; the desk goes on from `have`.
      await c.query('COMMIT');
      return { status: f.completed_at ? 200 : 409, json: { sha256, have, complete: !!f.completed_at } };
    }
    if (a.body.length > 0) await c.query('INSERT INTO hub_file_chunks (sha256, off, data) VALUES ($1, $2, $3)', [sha256, offset, a.body]);
    const received = offset + a.body.length;
    await c.query('UPDATE hub_files SET received = $2 WHERE sha256 = $1', [sha256, received]);
    let complete = false;
    if (received === size) {
      const actual = await hashOf(c, sha256);
      if (actual !== sha256) {
        await c.query('ROLLBACK');
        await discard(pool, sha256);
        throw new Refusal(422, 'HASH_MISMATCH', '上传的文件内容与其摘要不符，已丢弃，请重新上传。', `file ${sha256} hashes to ${actual}`);
      }
      await c.query('UPDATE hub_files SET completed_at = now() WHERE sha256 = $1', [sha256]);
      complete = true;
    }
    await c.query('COMMIT');
    const n = ++chunksCommitted;
    if (killAt && killAt.chunk === n) {
      log('hub.killPoint', { chunk: n, sha256, offset });
      process.kill(process.pid, 'SIGKILL');
    }
    return { status: 201, json: { sha256, have: received, complete } };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

/** The SHA-256 of a file's chunks in order, read one chunk at a time. */
async function hashOf(c: pg.PoolClient, sha256: string): Promise<string> {
  const h = createHash('sha256');
  const offs = (await c.query<{ off: string }>('SELECT off FROM hub_file_chunks WHERE sha256 = $1 ORDER BY off', [sha256])).rows;
  for (const { off } of offs) h.update((await c.query<{ data: Buffer }>('SELECT data FROM hub_file_chunks WHERE sha256 = $1 AND off = $2', [sha256, off])).rows[0]!.data);
  return h.digest('hex');
}

/** A file whose bytes do not hash to its name: its chunks go, and it starts again from 0. */
async function discard(pool: pg.Pool, sha256: string): Promise<void> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
    await c.query('DELETE FROM hub_file_chunks WHERE sha256 = $1', [sha256]);
    await c.query('UPDATE hub_files SET received = 0 WHERE sha256 = $1 AND completed_at IS NULL', [sha256]);
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

async function read(pool: pg.Pool, sha256: string, url: URL, spend: Spend): Promise<Result> {
  const offset = Number(url.searchParams.get('offset') ?? '0');
  const length = Math.min(MAX_READ, Number(url.searchParams.get('length') ?? String(MAX_READ)));
  if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 1) throw new Refusal(422, 'BAD_RANGE', '文件读取范围无效。', `bad range offset=${offset} length=${length}`);
  await spend(pool);
  const f = (await pool.query<{ size: string; completed_at: Date | null }>('SELECT size, completed_at FROM hub_files WHERE sha256 = $1', [sha256])).rows[0];
  if (!f?.completed_at) throw new Refusal(404, 'NO_FILE', '全厅中心没有这个文件。', `file ${sha256} not held (complete) at the hub`);
  const end = Math.min(Number(f.size), offset + length);
  // The chunks overlapping [offset, end), cut to it (bytea substring is 1-based).
  const rows = (
    await pool.query<{ part: Buffer }>(
      `SELECT substring(data FROM greatest($2 - off, 0)::int + 1 FOR (least(off + length(data), $3) - greatest(off, $2))::int) AS part
       FROM hub_file_chunks WHERE sha256 = $1 AND off < $3 AND off + length(data) > $2 ORDER BY off`,
      [sha256, offset, end],
    )
  ).rows;
  return { status: 200, json: Buffer.concat(rows.map((r) => r.part)) };
}

/** A case push is taken only once the hub holds every file its record refers to (409: the desk uploads, then retries). */
export async function assertCaseFilesHeld(c: pg.PoolClient, document: unknown): Promise<void> {
  const files = (document as { record?: { files?: { sha256?: unknown }[] } } | null)?.record?.files;
  if (!Array.isArray(files) || files.length === 0) return;
  const shas = files.map((f) => f?.sha256).filter((s): s is string => typeof s === 'string');
  const held = Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM hub_files WHERE sha256 = ANY($1) AND completed_at IS NOT NULL', [shas])).rows[0]!.n);
  if (held !== new Set(shas).size) throw new Refusal(409, 'FILES_MISSING', '全厅中心尚未收齐该办件的文件，请稍后重试。', `case push refers to ${new Set(shas).size} files, ${held} held`);
}
