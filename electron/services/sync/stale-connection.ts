/**
 * A request that met a keep-alive connection the other side had just closed. The desk's requests
 * go through Node's fetch (undici), which keeps connections open and reuses them; a target closes
 * an idle one after its keep-alive timeout (Node's servers: 5 s), and when the desk reuses it at
 * that moment — its event loop busy, undici not yet told of the close — the request is written on
 * a dead connection and fails with "other side closed" / ECONNRESET before any byte of an answer.
 * For a health check that meant a false "unreachable" shown to the clerk until the next check.
 *
 * The rule, in one place for every connector (vertical systems, the hall hub, data sharing): an idempotent
 * request (GET, HEAD) whose connection was closed or reset before its answer began is sent once
 * more. The second try goes out on a fresh connection: undici has dropped the dead socket, and its
 * pool hands the request to the first free client, which is the one that just lost its socket and
 * now connects anew (tests/integration/sync-stale-connection.test.ts pins this, several pooled
 * connections closed at once included). Both tries share the caller's time limit (its signal).
 *
 * Not retried: a POST (a case, an upload's start or completion, a hub push): it may have been
 * received, so its outcome stays unknown and is resolved as before (look-up, same idempotency
 * key); a PUT of an upload chunk, idempotent by its offset in the protocol but not retried here:
 * a cut mid-chunk cannot be told from a stale connection, and the next attempt already resumes at
 * the offset the target reports (docs/sync-protocol.md); a timeout, a refused connection.
 */

/** Methods a second send cannot change anything with. */
const IDEMPOTENT = new Set(['GET', 'HEAD']);

/** The connection was closed or reset under the request (undici's SocketError, the socket's own errors). */
const CLOSED_UNDER_REQUEST = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/** The error's string code (`ECONNREFUSED`, `UND_ERR_SOCKET`), else its name (`TimeoutError`); a DOMException's numeric code is not one. */
export function errorCode(e: unknown): string {
  const err = e as { code?: unknown; name?: unknown; cause?: { code?: unknown; name?: unknown } };
  const text = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  return text(err.cause?.code) ?? text(err.code) ?? text(err.cause?.name) ?? text(err.name) ?? '';
}

/** Would this failure of `send` (before any answer) be sent once more for this method? */
export function sendsAgain(method: string, e: unknown): boolean {
  return IDEMPOTENT.has(method.toUpperCase()) && CLOSED_UNDER_REQUEST.has(errorCode(e));
}

/** A request whose second try failed too: `firstCode` says why the first did (for the log). */
export class FailedTwice extends Error {
  constructor(
    readonly second: unknown,
    readonly firstCode: string,
  ) {
    super((second as Error)?.message ?? String(second));
    this.name = 'FailedTwice';
  }
}

/**
 * Runs `send` (one request, up to its answer's head); once more when an idempotent request lost
 * its connection before the answer. `send` builds its request anew each time (a hub request is
 * signed again, under a new nonce). A second failure is thrown as FailedTwice.
 */
export async function sendOnceMore<T>(method: string, send: () => Promise<T>): Promise<T> {
  try {
    return await send();
  } catch (e) {
    if (!sendsAgain(method, e)) throw e;
    try {
      return await send();
    } catch (again) {
      throw new FailedTwice(again, errorCode(e));
    }
  }
}

/** The error to classify from a request's failure: the second try's, if there was one. */
export function lastError(e: unknown): unknown {
  return e instanceof FailedTwice ? e.second : e;
}
