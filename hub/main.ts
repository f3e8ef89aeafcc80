import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import type { DeskCard } from '../electron/services/transfer/desk-keys';
import { hubFingerprint } from '../electron/services/hub/hub-protocol';
import { HubSchemaRefused, migrate } from './migrate';
import { createHubServer, purgeNonces } from './server';
import { enrolDesk, hubIdentity, removeDesk } from './trust';
import { deskListing } from './desk-admin';
import type { FieldStep } from './field-relay';

/**
 * npm run hub -- [serve] --database-url postgres://… [--listen 127.0.0.1:7400]
 * npm run hub -- card --database-url …                       the hub's card and fingerprint
 * npm run hub -- enrol-desk --database-url … --card desk-card.json [--successor-of <dead desk id>] [--by 管理员] [--supervisor-desk]
 * npm run hub -- desks --database-url …                      every desk: enrolled/removed, last seen, backlog, feed lag
 * npm run hub -- remove-desk --database-url … --desk-id ID [--by 管理员]
 * Environment: HUB_KILL_AT=<n>:<before-commit|after-commit> or chunk:<n> (after the n-th file chunk committed)
 * or field:<offer|take|package|result|ack>:<before-commit|after-commit> (at the first such field-work write) — crash tests only.
 */

function arg(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
}

const out = (o: unknown) => process.stdout.write(JSON.stringify(o) + '\n');

export async function serve(databaseUrl: string, listen: string): Promise<{ close(): Promise<void>; port: number }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 16 });
  pool.on('error', (e) => process.stderr.write(JSON.stringify({ event: 'hub.poolError', error: e.message }) + '\n'));
  await migrate(pool);
  const identity = await hubIdentity(pool);
  const kill = /^(\d+):(before-commit|after-commit)$/.exec(process.env.HUB_KILL_AT ?? '');
  const chunkKill = /^chunk:(\d+)$/.exec(process.env.HUB_KILL_AT ?? '');
  const fieldKill = /^field:(offer|take|package|result|ack):(before-commit|after-commit)$/.exec(process.env.HUB_KILL_AT ?? '');
  const server = createHubServer({
    pool,
    identity,
    killAt: kill ? { push: Number(kill[1]), point: kill[2] as 'before-commit' } : null,
    killAtChunk: chunkKill ? { chunk: Number(chunkKill[1]) } : null,
    killAtField: fieldKill ? { step: fieldKill[1] as FieldStep, point: fieldKill[2] as 'before-commit' } : null,
  });
  const [host, port] = listen.includes(':') ? [listen.slice(0, listen.lastIndexOf(':')), Number(listen.slice(listen.lastIndexOf(':') + 1))] : ['127.0.0.1', Number(listen)];
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const timer = setInterval(() => void purgeNonces(pool).catch(() => undefined), 60_000);
  timer.unref();
  const actual = (server.address() as AddressInfo).port;
  out({ event: 'hub.listening', host, port: actual, hubId: identity.card.hubId, fingerprint: hubFingerprint(identity.card) });
  return {
    port: actual,
    async close() {
      clearInterval(timer);
      // Desks polling on keep-alive connections would keep a plain close() waiting for ever: each
      // connection is closed as soon as it is idle between two requests.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      await new Promise<void>((r) => server.close(() => r()));
      clearInterval(sweep);
      await pool.end();
    },
  };
}

async function withPool<T>(url: string, fn: (pool: pg.Pool) => Promise<T>): Promise<T> {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await migrate(pool);
    return await fn(pool);
  } finally {
    await pool.end();
  }
}

export async function main(argv: string[]): Promise<void> {
  const command = argv[0] && !argv[0].startsWith('--') ? argv[0] : 'serve';
  const url = arg(argv, 'database-url') ?? process.env.HUB_DATABASE_URL;
  if (!url) throw new Error('需要 --database-url（PostgreSQL 连接串，例如 postgres://hub@127.0.0.1:5432/hall）');
  const by = arg(argv, 'by') ?? 'supervisor';
  switch (command) {
    case 'serve': {
      const hub = await serve(url, arg(argv, 'listen') ?? '127.0.0.1:7400');
      const stop = () => void hub.close().then(() => process.exit(0));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return;
    }
    case 'card':
      return withPool(url, async (pool) => {
        const { card } = await hubIdentity(pool);
        out({ card, fingerprint: hubFingerprint(card) });
      });
    case 'enrol-desk': {
      const file = arg(argv, 'card');
      if (!file) throw new Error('需要 --card（工作台导出的身份卡文件）');
      const card = JSON.parse(fs.readFileSync(file, 'utf8')) as DeskCard;
      return withPool(url, async (pool) => {
        const successorOf = arg(argv, 'successor-of');
        // A supervisor desk may enrol and remove desks from its 全厅中心 screen (hub/desk-admin.ts): only ever set here.
        const supervisorDesk = argv.includes('--supervisor-desk');
        const r = await enrolDesk(pool, card, by, { supervisorDesk, ...(successorOf ? { successorOf } : {}) });
        const { card: hub } = await hubIdentity(pool);
        out({ deskId: card.deskId, ...(successorOf ? { successorOf, removed: successorOf } : {}), deskFingerprint: r.fingerprint, already: r.already, supervisorDesk, hubCard: hub, hubFingerprint: hubFingerprint(hub) });
      });
    }
    case 'desks':
      return withPool(url, async (pool) => {
        out(await deskListing(pool));
      });
    case 'remove-desk': {
      const deskId = arg(argv, 'desk-id');
      if (!deskId) throw new Error('需要 --desk-id');
      return withPool(url, async (pool) => {
        await removeDesk(pool, deskId, by);
        out({ removed: deskId });
      });
    }
    default:
      throw new Error(`未知命令：${command}（serve、card、enrol-desk、remove-desk、desks）`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    const msg = e instanceof HubSchemaRefused ? e.message : (e as Error).message;
    process.stderr.write(`${msg}\n`);
    process.exit(1);
  });
}
