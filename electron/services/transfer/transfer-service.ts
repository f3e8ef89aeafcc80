import fs from 'node:fs';
import path from 'node:path';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import { SYSTEM_ACTOR, type Actor } from '../audit/audit-chain';
import type { z } from 'zod';
import type { BundleIn, BundleOut, ImportOutcome, TransferStatus } from '../../../shared/ipc/methods/transfer';
import { BundleRefused } from './bundle-format';
import { manifestsIn } from './bundle-folder';
import { isSm2Available, transferDir, type Zone } from './desk-keys';
import { pairPeer, readDesk, readPeer, setupDesk, SetupRefused } from './desk-setup';
import { inlineRunner, type TransferRunner } from './transfer-runner';
import { gapsFromPeer } from './acks';
import { writeFileDurably } from '../../store/durable-write';
import { reachableHere, type TransferCtx } from './transfer-context';
import { exchangeRoots, importFolderWithin } from './exchange-folders';
import { listReceivedCases, listWaiting, pendingExportCount } from './transfer-views';

const DROP_FILE = 'drop-folder.json';
const WATCH_MS = 2_000;

/**
 * The transfer screens' methods, and the watcher of the gateway's drop folder (every
 * WATCH_MS it imports bundles that appeared there; a refused one is not retried until
 * its manifest changes). Exports and imports go through `runner` (the app: a worker thread).
 */
export function createTransferService(
  ctx: TransferCtx,
  senderZone: Zone | null,
  runner: TransferRunner = inlineRunner(ctx),
): { handlers: PartialHandlers; start(): void; stop(): void } {
  const refused: ImportOutcome[] = [];
  const tried = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;

  const dropFile = () => path.join(transferDir(ctx.dataDir), DROP_FILE);
  const dropFolder = (): string | null => {
    try {
      return (JSON.parse(fs.readFileSync(dropFile(), 'utf8')) as { folder: string | null }).folder;
    } catch {
      return null;
    }
  };

  function status(): TransferStatus {
    const desk = readDesk(ctx);
    const peer = readPeer(ctx);
    const zone = desk?.zone ?? null;
    const view = (d: typeof desk) => d && { deskId: d.deskId, name: d.name, zone: d.zone, signAlg: d.card.signAlg, fingerprint: d.fingerprint, at: d.at };
    return {
      desk: view(desk),
      peer: view(peer),
      card: desk ? JSON.stringify(desk.card, null, 2) : null,
      sm2Available: isSm2Available(),
      senderZone,
      dropFolder: dropFolder(),
      targets: ctx.targets
        .all()
        .filter((t) => t.kind !== 'data_sharing')
        .map((t) => ({ id: t.id, name: t.name, zones: t.zones ?? null, reachableHere: reachableHere(t, zone) })),
      waiting: listWaiting(ctx.db).filter((w) => w.state !== 'acknowledged').length,
      toExport: pendingExportCount(ctx),
      gaps: gapsFromPeer(ctx.db),
    };
  }

  const guard = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof SetupRefused) throw new AppError('INVALID_STATE', e.userMessage);
      throw e;
    }
  };

  const guardAsync = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof SetupRefused) throw new AppError('INVALID_STATE', e.userMessage);
      throw e;
    }
  };

  async function importManifests(manifests: string[], actor: Actor): Promise<ImportOutcome[]> {
    const outcomes: ImportOutcome[] = [];
    for (const m of manifests) {
      const at = ctx.now().toISOString();
      try {
        const r = await runner.importBundle(actor, m);
        outcomes.push({
          file: m,
          status: r.status,
          bundleId: r.bundleId,
          seq: r.seq,
          entriesNew: r.status === 'applied' ? r.entriesNew : 0,
          entriesKnown: r.status === 'applied' ? r.entriesKnown : 0,
          acks: r.status === 'applied' ? r.acks : 0,
          reason: null,
          code: null,
          at,
        });
      } catch (e) {
        if (!(e instanceof BundleRefused)) throw e;
        ctx.logger.warn('transfer.refused', { file: m, code: e.code, reason: e.userMessage, ...e.detail });
        const o: ImportOutcome = { file: m, status: 'refused', bundleId: null, seq: null, entriesNew: 0, entriesKnown: 0, acks: 0, reason: e.userMessage, code: e.code, at };
        outcomes.push(o);
        refused.unshift(o);
        refused.splice(50);
      }
    }
    return outcomes;
  }

  let watching = false;
  async function watchOnce(): Promise<void> {
    const folder = dropFolder();
    if (!folder || !readPeer(ctx) || !fs.existsSync(folder)) return;
    // A bundle is tried again when its manifest or the folder's file count changed (parts still arriving).
    const files = fs.readdirSync(folder).length;
    for (const m of manifestsIn(folder)) {
      const mark = fs.statSync(m).mtimeMs * 1e6 + files;
      if (tried.get(m) === mark) continue;
      tried.set(m, mark);
      const [o] = await importManifests([m], SYSTEM_ACTOR);
      if (o) ctx.logger.info('transfer.dropImported', { file: m, status: o.status, code: o.code });
    }
  }

  const handlers: PartialHandlers = {
    'transfer.status': () => status(),
    'transfer.setup': ({ zone, name, signAlg }, c) => {
      guard(() => setupDesk(ctx, c.actor, { zone, name, signAlg }));
      return status();
    },
    'transfer.pair': ({ card, fingerprint }, c) => {
      guard(() => pairPeer(ctx, c.actor, card, fingerprint));
      return status();
    },
    'transfer.setDropFolder': ({ folder }, c) => {
      if (folder && !fs.existsSync(folder)) throw new AppError('NOT_FOUND', `文件夹不存在：${folder}`);
      writeFileDurably(dropFile(), JSON.stringify({ folder }), { mode: 0o600 });
      ctx.write(c.actor, (w) => w.audit({ action: 'transfer.dropFolder', entityType: 'transfer_desk', entityId: null, detail: { folder } }));
      return status();
    },
    'transfer.export': async ({ folder, chunkMb }, c) => {
      if (!fs.existsSync(folder)) throw new AppError('NOT_FOUND', `导出位置不存在：${folder}（请插好移动介质或检查路径）。`);
      const r = await guardAsync(() => runner.exportBundle(c.actor, { outDir: folder, chunkBytes: chunkMb ? Math.max(1024, Math.round(chunkMb * 1024 * 1024)) : undefined }));
      return { bundleId: r.bundleId, seq: r.seq, entries: r.counts.entries, files: r.counts.files, acks: r.acks, parts: r.parts, bytes: r.bytes, manifestFile: r.manifestFile };
    },
    'transfer.import': async ({ folder }, c) => {
      folder = importFolderWithin(folder, exchangeRoots(ctx.dataDir, dropFolder()));
      if (!readPeer(ctx)) throw new AppError('INVALID_STATE', '本机尚未与对端工作台配对，无法导入。');
      const outcomes = await importManifests(manifestsIn(folder), c.actor);
      if (!outcomes.length) throw new AppError('NOT_FOUND', `该文件夹中没有交换包（*.manifest.json）：${folder}`);
      return { outcomes, gaps: gapsFromPeer(ctx.db) };
    },
    'transfer.history': () => ({
      out: ctx.db
        .prepare(
          `SELECT bundle_id AS bundleId, seq, folder, created_at AS createdAt, expires_at AS expiresAt, entries, files, acks, bytes, confirmed_at AS confirmedAt
           FROM transfer_bundles_out ORDER BY seq DESC LIMIT 200`,
        )
        .all() as z.infer<typeof BundleOut>[],
      in: ctx.db
        .prepare(
          `SELECT bundle_id AS bundleId, seq, created_at AS createdAt, applied_at AS appliedAt, entries_new AS entriesNew, entries_known AS entriesKnown, files, acks
           FROM transfer_bundles_in ORDER BY applied_at DESC, seq DESC LIMIT 200`,
        )
        .all() as z.infer<typeof BundleIn>[],
      refused,
      gaps: gapsFromPeer(ctx.db),
    }),
    'transfer.waiting': () => ({ items: listWaiting(ctx.db) }),
    'transfer.received': () => ({ cases: listReceivedCases(ctx.db) }),
  };

  return {
    handlers,
    start() {
      timer = setInterval(() => {
        if (watching) return;
        watching = true;
        watchOnce()
          .catch((e: unknown) => ctx.logger.error('transfer.watchFailed', { error: String(e) }))
          .finally(() => (watching = false));
      }, WATCH_MS);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
      void runner.close();
    },
  };
}
