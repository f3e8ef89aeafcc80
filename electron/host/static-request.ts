/**
 * The one request → file decision for the built renderer, used by both hosts: the loopback
 * browser host (browser-host.ts) and Electron's app:// protocol handler (main.ts). Plain Node, no
 * Electron, so the Electron side's decisions are tested without its binary
 * (tests/unit/static-request.test.ts).
 *
 * A refusal carries a Chinese message for the page and a precise English reason for the log.
 * Nothing here throws on any input: a path with a NUL byte, a bad percent escape, an encoded
 * `..`, a backslash or a drive letter is refused before the file system is touched.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { ErrorCode } from '../../shared/ipc/errors';

export const STATIC_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

const INDEX = 'index.html';
/** Longer paths are not ours (the renderer's longest asset path is under 100 characters). */
const MAX_PATH = 1024;

/** Why a request is refused; each maps to one status, one contract error code and one message. */
export type RefusalKind = 'bad' | 'method' | 'absent' | 'internal';

export interface StaticRefusal {
  kind: 'refused';
  status: 400 | 404 | 405 | 500;
  code: ErrorCode;
  /** For the page (Simplified Chinese). */
  message: string;
  /** For the log (English, precise). */
  reason: string;
}

export interface StaticFile {
  kind: 'file';
  status: 200;
  contentType: string;
  /** `no-cache` for index.html (it names the hashed assets), `immutable` for the rest. */
  cacheControl: string;
  /** Absent for HEAD. */
  body: Buffer | null;
  size: number;
  file: string;
}

export type StaticAnswer = StaticFile | StaticRefusal;

const REFUSALS: Record<RefusalKind, Pick<StaticRefusal, 'status' | 'code' | 'message'>> = {
  bad: { status: 400, code: 'BAD_REQUEST', message: '请求地址不正确。' },
  method: { status: 405, code: 'BAD_REQUEST', message: '请求方法不正确。' },
  absent: { status: 404, code: 'NOT_FOUND', message: '未找到请求的页面文件。' },
  internal: { status: 500, code: 'INTERNAL', message: '系统内部错误，请稍后重试。' },
};

export function refusal(kind: RefusalKind, reason: string): StaticRefusal {
  return { kind: 'refused', ...REFUSALS[kind], reason };
}

/** Where a request for `rawPath` may be answered from, before any file is read. */
export type StaticTarget =
  | { kind: 'target'; head: boolean; file: string; /** a client-side route: index.html if the file is absent */ fallback: boolean }
  | StaticRefusal;

/**
 * Decides, without touching the disk, what a request names. `rawPath` is the path part of the URL
 * as sent (still percent-encoded; a query or fragment is cut off here), `root` the renderer folder.
 */
export function staticTarget(root: string, method: string, rawPath: string): StaticTarget {
  if (method !== 'GET' && method !== 'HEAD') return refusal('method', `method ${method.slice(0, 20)} on a static path`);
  const cut = rawPath.search(/[?#]/);
  const encoded = cut === -1 ? rawPath : rawPath.slice(0, cut);
  if (!encoded.startsWith('/')) return refusal('bad', 'path does not start with /');
  if (encoded.length > MAX_PATH) return refusal('bad', `path of ${encoded.length} characters`);
  let decoded: string;
  try {
    decoded = decodeURIComponent(encoded);
  } catch {
    return refusal('bad', 'malformed percent-encoding in the path');
  }
  if (decoded.includes('\0')) return refusal('bad', 'NUL byte in the path');
  if (decoded.includes('\\')) return refusal('bad', 'backslash in the path');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(decoded)) return refusal('bad', 'control character in the path');
  const segments = decoded.split('/').filter((s) => s.length > 0);
  if (segments.some((s) => s === '..' || s === '.')) return refusal('bad', 'dot segment in the path (traversal)');
  if (segments.some((s) => s.includes(':'))) return refusal('bad', 'colon in the path (drive letter or stream name)');
  const head = method === 'HEAD';
  const base = path.resolve(root);
  if (segments.length === 0) return { kind: 'target', head, file: path.join(base, INDEX), fallback: false };
  const file = path.resolve(base, ...segments);
  const relative = path.relative(base, file);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return refusal('bad', 'path leaves the renderer folder');
  const last = segments[segments.length - 1] ?? '';
  return { kind: 'target', head, file, fallback: path.extname(last) === '' };
}

const contentTypeOf = (file: string) => STATIC_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';

async function readRegularFile(file: string, head: boolean): Promise<{ body: Buffer | null; size: number } | 'absent'> {
  let stat: fs.Stats;
  try {
    stat = await fs.promises.stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ENAMETOOLONG') return 'absent';
    throw e;
  }
  if (!stat.isFile()) return 'absent';
  if (head) return { body: null, size: stat.size };
  const body = await fs.promises.readFile(file);
  return { body, size: body.byteLength };
}

/**
 * The whole static answer for one request: the decision above, then the file (or index.html for a
 * client-side route). Never rejects: an unexpected file-system error is a 500 with its reason.
 */
export async function serveStatic(root: string, method: string, rawPath: string): Promise<StaticAnswer> {
  const target = staticTarget(root, method, rawPath);
  if (target.kind === 'refused') return target;
  try {
    let file = target.file;
    let read = await readRegularFile(file, target.head);
    if (read === 'absent' && target.fallback) {
      file = path.join(path.resolve(root), INDEX);
      read = await readRegularFile(file, target.head);
    }
    if (read === 'absent') return refusal('absent', `no file ${path.relative(path.resolve(root), target.file) || INDEX}`);
    return {
      kind: 'file',
      status: 200,
      contentType: contentTypeOf(file),
      cacheControl: path.basename(file) === INDEX ? 'no-cache' : 'public, max-age=31536000, immutable',
      body: read.body,
      size: read.size,
      file,
    };
  } catch (e) {
    return refusal('internal', `reading ${target.file}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
