/**
 * The browser host: the same composition root as Electron's main, served to
 * a browser over loopback. `npm start` falls back to it where Electron is
 * missing; the end-to-end tests drive it in Chromium.
 *
 *   node dist/electron/browser-host.cjs [--data-dir DIR] [--port N] [--no-demo]
 *
 * Prints one line `DESK_READY {"url":…}` when it accepts requests.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../app/create-app';
import { appRoot } from '../app/paths';
import { resolveDataDir } from '../app/data-dir';
import { deskAddresses, readDeskConfig } from '../app/desk-config';
import { startFailureNotice } from '../app/start-failure';
import { DEFAULT_PORT, startBrowserHost } from './browser-host';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'data-dir': { type: 'string' },
      port: { type: 'string' },
      'no-demo': { type: 'boolean', default: false },
    },
  });
  // The one data folder of every host and the CLI; its desk-config.json gives the outside addresses.
  const dataDir = resolveDataDir(values['data-dir']).dir;
  const addresses = deskAddresses(readDeskConfig(dataDir), process.env);
  const port = Number(values.port ?? process.env.DESK_PORT ?? DEFAULT_PORT);
  const idle = process.env.DESK_IDLE_LOCK_MS ? Number(process.env.DESK_IDLE_LOCK_MS) : undefined;
  const app = await createApp({
    dataDir,
    hostKind: 'browser-host',
    demo: !values['no-demo'] && process.env.DESK_DEMO !== '0',
    logEcho: process.env.DESK_LOG_ECHO === '1',
    ...addresses,
    ...(idle ? { auth: { idleLockMs: idle } } : {}),
  });
  let host;
  try {
    host = await startBrowserHost({ dispatcher: app.dispatcher, rendererDir: path.join(appRoot(), 'dist', 'renderer'), logger: app.logger, port });
  } catch (e) {
    if ((e as { code?: string }).code === 'EADDRINUSE') {
      process.stderr.write(`端口 ${port} 已被占用（可能已有一个工作台在运行）。可用 --port 指定其他端口，但草稿按地址保存，换端口后看不到原来的草稿。\n`);
      process.exit(1);
    }
    throw e;
  }
  if (app.state === 'recovery') process.stderr.write(`数据库不可用（${app.problem?.kind}）：${app.problem?.message} 打开页面查看恢复说明。\n`);
  process.stdout.write(`无证明办理工作台（浏览器模式）已启动，数据目录 ${dataDir}\n打开：${host.url}\n`);
  process.stdout.write(`DESK_READY ${JSON.stringify({ url: host.url, port: host.port, state: app.state })}\n`);

  const stop = async () => {
    await host.close();
    app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((e) => {
  // A refusal the clerk can act on (the folder held by another process) is one Chinese line; anything else keeps its stack.
  const notice = startFailureNotice(e);
  process.stderr.write(notice.known ? `启动失败：${notice.reason}\n` : `启动失败：${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
