import fs from 'node:fs';

/** Calls fn for each line of a file, reading 1 MB at a time (synchronous: usable inside a transaction). */
export function forEachLine(file: string, fn: (line: string) => void): void {
  const fd = fs.openSync(file, 'r');
  const buf = Buffer.allocUnsafe(1024 * 1024);
  let rest: Buffer = Buffer.alloc(0);
  try {
    for (;;) {
      const n = fs.readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      let data = Buffer.concat([rest, buf.subarray(0, n)]);
      let nl: number;
      while ((nl = data.indexOf(0x0a)) >= 0) {
        const line = data.subarray(0, nl).toString('utf8');
        if (line) fn(line);
        data = data.subarray(nl + 1);
      }
      rest = Buffer.from(data);
    }
    if (rest.length) fn(rest.toString('utf8'));
  } finally {
    fs.closeSync(fd);
  }
}
