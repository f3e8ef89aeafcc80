/**
 * Regenerates docs/examples/catalog-example.xlsx: the demo catalog exported
 * by a freshly seeded desk, in the layout of docs/catalog-xlsx.md.
 *
 *   npx tsx scripts/make-catalog-example.ts
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createApp } from '../electron/app/create-app';
import { DEMO_PASSWORD } from '../electron/seed/seed-demo';
import type { MethodInput, MethodName, MethodOutput } from '../shared/ipc/contract';

const OUT = path.resolve(__dirname, '..', 'docs', 'examples', 'catalog-example.xlsx');

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'desk-example-'));
  const app = await createApp({ dataDir });
  try {
    const call = async <M extends MethodName>(method: M, input: MethodInput<M>, session?: string): Promise<MethodOutput<M>> => {
      const reply = await app.dispatcher.dispatch({ id: method, method, input, ...(session ? { session } : {}) }, { transport: 'script' });
      if (!reply.ok) throw new Error(`${method}: ${reply.error.code} ${reply.error.message}`);
      return reply.value as MethodOutput<M>;
    };
    const { token } = await call('auth.signIn', { username: 'admin', password: DEMO_PASSWORD });
    const { base64 } = await call('catalog.exportXlsx', {}, token);
    fs.mkdirSync(path.dirname(OUT), { recursive: true });
    fs.writeFileSync(OUT, Buffer.from(base64, 'base64'));
    console.log(`wrote ${path.relative(process.cwd(), OUT)} (${Math.round((base64.length * 3) / 4 / 1024)} KB)`);
  } finally {
    app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
