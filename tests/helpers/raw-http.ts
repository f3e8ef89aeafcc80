import net from 'node:net';

/**
 * HTTP/1.1 on a socket the test holds itself: to see what a server does with one keep-alive
 * connection (tests/integration/host-keep-alive.test.ts, hub-keep-alive.test.ts). A client
 * library would hide it (it opens another connection when one is closed).
 */

/** Resolves with everything received once `predicate` holds on it, or rejects when the server closes the connection first. */
export function readUntil(socket: net.Socket, predicate: (text: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const onData = (c: Buffer) => {
      text += c.toString('latin1');
      if (predicate(text)) {
        socket.off('data', onData);
        socket.off('close', onClose);
        resolve(text);
      }
    };
    const onClose = () => reject(new Error(`the server closed the connection; received ${JSON.stringify(text.slice(0, 200))}`));
    socket.on('data', onData);
    socket.once('close', onClose);
  });
}

/** True once `text` holds a whole answer (its head and as many body bytes as its Content-Length says). */
export const wholeAnswer = (text: string): boolean => {
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return false;
  const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, end));
  return length !== null && text.length >= end + 4 + Number(length[1]);
};

/** An answer split into its status, head (lower-cased names) and body. */
export function parseAnswer(text: string): { status: number; headers: Record<string, string>; body: Buffer } {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine, ...lines] = text.slice(0, end).split('\r\n');
  const headers: Record<string, string> = {};
  for (const l of lines) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  return { status: Number(/^HTTP\/1\.1 (\d{3}) /.exec(statusLine!)![1]), headers, body: Buffer.from(text.slice(end + 4), 'latin1') };
}
