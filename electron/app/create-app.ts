import fs from 'node:fs';
import path from 'node:path';
import type { StoreProblem } from '../../shared/ipc/contract';
import { createLogger, type Logger } from '../log/logger';
import { listBackups, openStore } from '../store/open-store';
import { BackupScheduler, type BackupInfo } from '../store/backups';
import { currentEpoch } from '../store/epoch';
import { createRestoreService, createStoreService } from '../services/system/store-service';
import { lockDataDir, tryImportGuardExclusive, type DataDirLock, type HolderKind } from '../store/data-dir-lock';
import { writeTx } from '../store/write';
import { restrictNewFiles, tightenDataDir } from '../store/data-dir-permissions';
import { unlockStore } from '../store/unlock-store';
import { sealSecretsAtRest } from './seal-secrets';
import type { StoreKeySource } from '../store/store-key';
import { SessionStore } from '../services/auth/sessions';
import { configureHallUserSessions } from '../services/hub/hall-users';
import { Lockouts } from '../services/auth/lockout';
import { systemMonotonic, type Monotonic } from './clock';
import { createAuthService } from '../services/auth/auth-service';
import { configureHallLockouts, HallLockouts } from '../services/auth/hall-lockouts';
import { createUsersService } from '../services/users/users-service';
import { createApplicantsService } from '../services/applicants/applicants-service';
import { createCatalogService } from '../services/catalog/catalog-service';
import { createCatalogIoService } from '../services/catalog-io/catalog-io-service';
import { createHomeService } from '../services/home/home-service';
import { createSystemService } from '../services/system/system-service';
import { createSetupService } from '../services/system/setup-service';
import { createAuditService } from '../services/audit/audit-service';
import { AuditCheckpointer } from '../services/audit/checkpoints';
import { createDevicesService } from '../services/devices/devices-service';
import { SimulatedIdCardReader } from '../services/devices/id-card-reader';
import { FileStore } from '../services/files/file-store';
import { createIntakeService } from '../services/intake/intake-service';
import { createDataQueries } from '../services/intake/data-queries';
import { createCreditService } from '../services/credit/credit-service';
import { createGuideService } from '../services/catalog/guide-service';
import { createScansService } from '../services/scans/scans-service';
import { createCameraVendorService } from '../services/camera-vendor/camera-vendor-service';
import { HttpVendorCameraService, UnconfiguredVendorCamera, type VendorCameraService } from '../services/camera-vendor/vendor-camera-client';
import { HttpDataSharingConnector, UnconfiguredDataSharing, type DataSharingConnector } from '../services/data-sharing/connector';
import { seedDemo } from '../seed/seed-demo';
import { DEMO_SYNC_CONFIG } from '../seed/demo-sync-targets';
import { syncConfigPath, writeSyncConfig } from '../services/sync/targets-config';
import { loadSyncTargets } from '../services/sync/sync-targets';
import { SyncSender } from '../services/sync/sender';
import { createHallConflictsService } from '../services/hub/hall-conflicts-service';
import { createHallFieldService } from '../services/hub/hall-field';
import { configureHallMaterials, hallPageFetcher } from '../services/hub/hall-materials';
import { createHallCasesService } from '../services/hub/hall-cases-service';
import { createHallCaseListService } from '../services/hub/hall-case-list-service';
import { configureHallAssistance, createHallAssistanceService, queueAssistanceAtEnrolment } from '../services/hub/hall-assistance';
import { configureHallTasks } from '../services/hub/hall-tasks';
import { createHallTasksService } from '../services/hub/hall-tasks-service';
import type { HubTargetConfig } from '../services/sync/targets-config';
import type { SenderStoreMode } from '../services/sync/sender-store-client';
import { createSyncService } from '../services/sync/sync-service';
import { createHubService } from '../services/hub/hub-service';
import { createAuditWitnessService } from '../services/hub/audit-witness-service';
import { lookUpCasesAfterRestore } from '../services/sync/restore-lookup';
import { createVerificationService } from '../services/verification/verification-service';
import { createAssistanceService } from '../services/verification/assistance-service';
import { createFieldService } from '../services/field/field-service';
import { createCalendarService } from '../services/calendar/calendar-service';
import { seedCalendar } from '../services/calendar/calendar-seed';
import { deskZone, reachableHere } from '../services/transfer/transfer-context';
import { createTransferService } from '../services/transfer/transfer-service';
import { workerRunner } from '../services/transfer/transfer-runner';
import { runInBackgroundWorker, runInWorker, warmLanesAfterReady } from '../workers/run-in-worker';
import { createDispatcher, type Dispatcher } from './dispatcher';
import { mergeHandlers, type PartialHandlers } from './handlers';
import { DEFAULT_AUTH_POLICY, type AuthPolicy, type Deps } from './deps';
import { appRoot, storePaths } from './paths';
import { contract } from '../../shared/ipc/contract';
import { AppError, refusedForFullDisk, STORE_DISK_FULL_MESSAGE } from './app-error';
import { isDiskFull } from '../store/durable-write';

export interface CreateAppOptions {
  dataDir: string;
  /**
   * Who opens the folder, named to a second process that is refused (store/data-dir-lock.ts):
   * 'electron', 'browser-host'; default 'in-process' (tests, benches).
   */
  hostKind?: HolderKind;
  /** Seed the demo hall on an empty store (default true; production passes false). */
  demo?: boolean;
  /** The wall clock (default: the system's): for what a person reads (app/clock.ts). */
  now?: () => Date;
  /**
   * The monotonic clock, for every duration (default: performance.now). A test that injects `now`
   * and no monotonic clock gets its durations measured on that `now` (its fake clock only moves
   * forward); one that moves `now` back passes both.
   */
  monotonic?: Monotonic;
  auth?: Partial<AuthPolicy>;
  migrationsDir?: string;
  /** Echo log lines to stderr as well as the log file. */
  logEcho?: boolean;
  /** The data-sharing platform's address (or a connector, in tests); unset = unreachable, queries queue. */
  dataSharing?: string | DataSharingConnector;
  /**
   * Unused since queued data-sharing queries go through the sync outbox (their retry follows the
   * sender's settings in sync-targets.json); kept so existing callers compile.
   */
  dataSharingRetryMs?: number;
  /** Start the sync sender (default true; tests that inspect the queue pass false). */
  sync?: boolean;
  /**
   * Where the sync sender commits its state changes: 'worker' (default) a worker thread with its
   * own connection, so their fsyncs never stall the main thread; 'inline' the main connection
   * (the behaviour before; the sync bench's baseline).
   */
  syncStore?: SenderStoreMode;
  /** A vendor camera service on 127.0.0.1 (its address, or a service in tests); unset = UVC cameras only. */
  cameraVendor?: string | VendorCameraService;
  /** Take the daily backup at start and while running (default true; store/backups.ts). */
  backups?: boolean;
  /**
   * Where the store's key is kept (store/store-key.ts): the Electron shell passes the OS key store;
   * default a key file beside the data folder (the browser host, the CLI, tests; DESK_STORE_KEY_FILE).
   */
  storeKey?: StoreKeySource;
}

export interface DeskApp {
  state: 'ready' | 'recovery';
  problem: StoreProblem | null;
  dispatcher: Dispatcher;
  logger: Logger;
  dbFile: string;
  close(): void;
  /** Stops the sync sender and waits for its requests in flight (call before close for a clean stop). */
  stopSync(): Promise<void>;
}

/**
 * The composition root. Opens the store, wires every service and returns the
 * dispatcher. Used as is by Electron's main, the browser host, the CLI and
 * the tests; nothing here imports Electron.
 *
 * The returned app's dispatcher stays the same object for the life of the process: a restore of
 * a backup through the recovery screen closes the recovery composition and composes the app again
 * on the restored store behind it, so neither host needs to know (docs/backup-restore.md).
 */
export async function createApp(opts: CreateAppOptions): Promise<DeskApp> {
  const now = opts.now ?? (() => new Date());
  // The data folder is the desk's alone: new files 0600 in 0700 folders (store/data-dir-permissions.ts).
  restrictNewFiles();
  // One host per data folder, before anything in it is opened: throws DataDirLocked naming the holder.
  const lock = lockDataDir(opts.dataDir, { kind: opts.hostKind ?? 'in-process', now });

  try {
    return await openApp(opts, now, lock);
  } catch (e) {
    lock.release();
    throw e;
  }
}

async function openApp(opts: CreateAppOptions, now: () => Date, lock: DataDirLock): Promise<DeskApp> {
  const paths = storePaths(opts.dataDir);
  const logger = createLogger({ file: paths.logFile, echo: opts.logEcho ?? false });
  try {
    const changed = tightenDataDir(opts.dataDir);
    if (changed.length) logger.warn('dataDir.permissionsTightened', { changed });
  } catch (e) {
    logger.error('dataDir.permissionsNotTightened', { error: String(e) });
  }
  // The store's key, before anything opens the store; a plaintext store (an older version's) is encrypted in place here.
  // A missing or wrong key throws StoreKeyRefused: the host's start failure says so in Chinese, nothing deleted.
  try {
    const unlocked = unlockStore({ dataDir: opts.dataDir, ...(opts.storeKey ? { source: opts.storeKey } : {}), now });
    logger.info('store.keyReady', { keyId: unlocked.keyId, source: unlocked.source, keptAt: unlocked.keptAt, created: unlocked.created });
    if (unlocked.weak && opts.storeKey?.kind === 'os') logger.warn('store.keyWeaklySealed', { reason: 'no OS keyring: the key is sealed with a fixed password (basic_text) or kept in a key file beside the folder', keptAt: unlocked.keptAt });
    if (unlocked.migration.encrypted.length) logger.warn('store.encryptedInPlace', { files: unlocked.migration.encrypted, backup: unlocked.migration.backup });
    const keys = sealSecretsAtRest(opts.dataDir);
    if (keys.sealed.length) logger.warn('store.keysSealedInPlace', { files: keys.sealed });
    for (const f of keys.failed) logger.error('store.keyNotSealed', f);
  } catch (e) {
    logger.error('store.keyRefused', { error: e instanceof Error ? e.message : String(e) });
    throw e;
  }
  let current: DeskApp;
  const reopen = async () => {
    current.close();
    current = await composeApp(opts, logger, reopen, lock);
    logger.info('app.recomposed', { state: current.state });
  };
  current = await composeApp(opts, logger, reopen, lock);
  return {
    get state() {
      return current.state;
    },
    get problem() {
      return current.problem;
    },
    dispatcher: { dispatch: (raw, meta) => current.dispatcher.dispatch(raw, meta) },
    logger,
    dbFile: paths.dbFile,
    // The folder's lock is held across recompositions (a restore) and released with the app.
    close: () => {
      try {
        current.close();
      } finally {
        lock.release();
      }
    },
    stopSync: () => current.stopSync(),
  };
}

async function composeApp(opts: CreateAppOptions, logger: Logger, reopen: () => Promise<void>, lock: DataDirLock): Promise<DeskApp> {
  const now = opts.now ?? (() => new Date());
  const paths = storePaths(opts.dataDir);
  const migrationsDir = opts.migrationsDir ?? path.join(appRoot(), 'migrations');
  const opened = openStore({
    file: paths.dbFile,
    migrationsDir,
    backupDir: paths.backupDir,
    now,
  });

  if (!opened.ok) {
    return recoveryApp(opts, logger, reopen, {
      kind: opened.kind,
      message: refusedForFullDisk(opened.detail) ? STORE_DISK_FULL_MESSAGE : opened.message,
      detail: opened.detail,
    });
  }
  try {
    return await readyApp(opts, logger, lock, opened);
  } catch (e) {
    // A full disk met by a start-up write after the store opened (the demo seed, the calendar, keys, the
    // sync settings): the recovery screen says the disk is full, as when the store itself cannot open.
    try {
      opened.db.close();
    } catch {
      // the refusal below (or the original error) is what matters
    }
    if (!isDiskFull(e)) throw e;
    const detail = `start-up write after the store opened: ${String((e as { code?: unknown }).code)}: ${(e as Error).message}`;
    return recoveryApp(opts, logger, reopen, { kind: 'unreadable', message: STORE_DISK_FULL_MESSAGE, detail });
  }
}

/** Recovery mode: only system.status and the restore methods answer; everything else is refused. */
function recoveryApp(
  opts: CreateAppOptions,
  logger: Logger,
  reopen: () => Promise<void>,
  refused: Pick<StoreProblem, 'kind' | 'message' | 'detail'>,
): DeskApp {
  const now = opts.now ?? (() => new Date());
  const paths = storePaths(opts.dataDir);
  const migrationsDir = opts.migrationsDir ?? path.join(appRoot(), 'migrations');
  const problem: StoreProblem = { ...refused, dbPath: paths.dbFile, backups: listBackups(paths.backupDir) };
  logger.error('store.refused', { kind: problem.kind, detail: problem.detail, dbPath: paths.dbFile });
  const refuse = () => {
      throw new AppError('STORE_UNAVAILABLE');
    };
    const handlers: PartialHandlers = Object.fromEntries(Object.keys(contract).map((m) => [m, refuse]));
    Object.assign(
      handlers,
      createSystemService({ problem }, now),
      createRestoreService({ paths: { dataDir: opts.dataDir, dbFile: paths.dbFile, backupDir: paths.backupDir, migrationsDir }, problem, now, logger, reopen }),
    );
    return {
      state: 'recovery',
      problem,
      dispatcher: createDispatcher({ handlers: handlers as ReturnType<typeof mergeHandlers>, sessions: null, logger }),
      logger,
      dbFile: paths.dbFile,
      close: () => undefined,
      stopSync: async () => undefined,
    };
}

async function readyApp(opts: CreateAppOptions, logger: Logger, lock: DataDirLock, opened: Extract<ReturnType<typeof openStore>, { ok: true }>): Promise<DeskApp> {
  const now = opts.now ?? (() => new Date());
  const paths = storePaths(opts.dataDir);
  const { db } = opened;
  logger.info('store.opened', { dbPath: paths.dbFile, schemaVersion: opened.schemaVersion, created: opened.created, applied: opened.applied });
  // Signed checkpoints of the audit chain's head, outside the database (services/audit/checkpoints.ts): at start,
  // every CHECKPOINT_EVERY entries, every few minutes and at the stop. A failure (a full disk) is logged, never
  // turned into a refusal of the write that was already committed.
  const checkpointer = new AuditCheckpointer(db, opts.dataDir, now);
  const signAuditHead = (why: 'start' | 'entries' | 'interval' | 'stop') => {
    try {
      if (why === 'entries') checkpointer.maybe();
      else checkpointer.checkpoint();
    } catch (e) {
      logger.error('audit.checkpointFailed', { why, error: e instanceof Error ? e.message : String(e) });
    }
  };
  const auth = { ...DEFAULT_AUTH_POLICY, ...opts.auth };
  const monotonic = opts.monotonic ?? (opts.now ? () => now().getTime() : systemMonotonic);
  const deps: Deps = {
    db,
    now,
    monotonic,
    logger,
    auth,
    sessions: new SessionStore(auth.idleLockMs, monotonic, auth.sessionMaxMs),
    lockouts: new Lockouts(auth.lockMinutes * 60_000, now, monotonic),
    write: (actor, fn) => {
      const result = writeTx(db, actor, now, fn);
      signAuditHead('entries');
      return result;
    },
    runInWorker,
  };
  configureHallUserSessions(db, (userId) => deps.sessions.endAllFor(userId));

  const files = new FileStore(path.join(opts.dataDir, 'files'), logger);
  // Files an older version stored in clear are sealed in place before anything reads them (FileStore.sealClearFiles).
  const sealedNow = files.sealClearFiles();
  if (sealedNow.sealed || sealedNow.damaged.length) logger.warn('files.sealedInPlace', { sealed: sealedNow.sealed, damagedLeftInClear: sealedNow.damaged });
  // Never against a store just created (every file would look orphaned); otherwise only this
  // epoch's orphans (FileStore.sweepOrphans) — and not while a command-line import may have placed
  // files it has not committed yet (data-dir-lock.ts).
  if (!opened.created) {
    const guard = tryImportGuardExclusive(opts.dataDir, lock.holder.kind);
    if (guard) {
      try {
        const swept = files.sweepOrphans(db, { notBefore: new Date(currentEpoch(db).startedAt) });
        if (swept.removed) logger.warn('files.orphansRemoved', { removed: swept.removed });
        if (swept.keptUnreferenced) logger.warn('files.unreferencedKept', { kept: swept.keptUnreferenced, reason: 'older than the store epoch: may belong to a replaced store' });
      } finally {
        guard.release();
      }
    } else logger.warn('files.sweepSkipped', { reason: 'a command-line transfer tool is running on this data folder' });
  }
  const dataSharingOpt = opts.dataSharing ?? process.env.DESK_DATA_SHARING_URL;
  const dataSharing: DataSharingConnector =
    typeof dataSharingOpt === 'string' ? new HttpDataSharingConnector(dataSharingOpt) : (dataSharingOpt ?? new UnconfiguredDataSharing());

  const cameraVendorOpt = opts.cameraVendor ?? process.env.DESK_CAMERA_VENDOR_URL;
  const cameraVendor: VendorCameraService =
    typeof cameraVendorOpt === 'string' ? new HttpVendorCameraService(cameraVendorOpt) : (cameraVendorOpt ?? new UnconfiguredVendorCamera());

  if (opened.created && opts.demo !== false) {
    await seedDemo(deps);
    logger.info('seed.demo', { dbPath: paths.dbFile });
  }
  // The published holiday schedules this store lacks (any store: new, upgraded, demo or production).
  const calendar = seedCalendar(deps);
  if (calendar.seeded.length || calendar.backfilled) logger.info('calendar.seeded', calendar);
  if (opened.created) {
    try {
      checkpointer.replacedStore();
    } catch (e) {
      logger.error('audit.checkpointFailed', { why: 'new store', error: e instanceof Error ? e.message : String(e) });
    }
  }
  signAuditHead('start');
  const checkpointTimer = setInterval(() => signAuditHead('interval'), 5 * 60_000);
  checkpointTimer.unref();

  // Sync targets: <dataDir>/sync-targets.json (a fresh demo store gets the demo targets).
  if (opened.created && opts.demo !== false && !fs.existsSync(syncConfigPath(opts.dataDir))) writeSyncConfig(opts.dataDir, DEMO_SYNC_CONFIG);
  const syncTargets = loadSyncTargets(deps, opts.dataDir);

  // Targets only the other network zone reaches are carried across in transfer bundles, not sent.
  const zone = deskZone(db);
  const hubTargets = () => syncTargets.all().filter((t): t is HubTargetConfig => t.kind === 'hub' && reachableHere(t, zone));
  configureHallMaterials(db, opts.dataDir);
  configureHallAssistance(db, opts.dataDir);
  configureHallTasks(db, opts.dataDir);
  configureHallLockouts(db, () => hubTargets().length > 0);
  const hallLockouts = new HallLockouts(deps, () => hubTargets()[0], opts.dataDir, syncTargets.sender.requestTimeoutMs);
  const pages = hallPageFetcher(deps, files, hubTargets, opts.dataDir, syncTargets.sender.requestTimeoutMs);
  const intakeDeps = { ...deps, files, dataSharing, syncTargets, pages };
  const queries = createDataQueries(intakeDeps);

  const sender = new SyncSender(deps, { ...syncTargets, all: () => syncTargets.all().filter((t) => reachableHere(t, zone)) }, files, queries.delivery, {
    dbFile: paths.dbFile,
    store: opts.syncStore,
  });
  // 协查 requests sent before this desk had a hub are queued for it now (once: each change queues its own afterwards).
  const assistanceQueued = queueAssistanceAtEnrolment(deps);
  if (assistanceQueued) logger.info('hub.assistanceQueuedAtEnrolment', { requests: assistanceQueued });

  const transferCtx = { ...deps, dataDir: opts.dataDir, files, targets: syncTargets };
  const transfer = createTransferService(transferCtx, zone, workerRunner(transferCtx, paths.dbFile));

  const handlers = mergeHandlers(
    createSystemService({ db, schemaVersion: opened.schemaVersion }, now),
    createSetupService(deps),
    createAuthService(deps, { hall: hallLockouts, production: opts.demo === false }),
    createUsersService(deps),
    createHomeService(deps),
    createCatalogService(deps),
    createCatalogIoService(deps),
    createApplicantsService(deps),
    createAuditService(deps, paths.dbFile, opts.dataDir),
    createDevicesService(new SimulatedIdCardReader(opts.dataDir, opts.demo !== false)),
    createIntakeService(intakeDeps, queries),
    createCreditService(deps),
    createGuideService(deps),
    createScansService({ ...deps, files }),
    createCameraVendorService(cameraVendor, logger),
    createSyncService(deps, syncTargets, sender),
    createHallConflictsService(deps, () => syncTargets.all().filter((t): t is HubTargetConfig => t.kind === 'hub' && reachableHere(t, zone)), opts.dataDir, syncTargets.sender.requestTimeoutMs),
    createHallCasesService(deps, hubTargets, opts.dataDir, syncTargets.sender.requestTimeoutMs),
    createHallAssistanceService(deps),
    createHallCaseListService(deps, hubTargets, opts.dataDir, syncTargets.sender.requestTimeoutMs),
    createHallTasksService(deps),
    createHubService(deps, { targets: syncTargets, dataDir: opts.dataDir, hubLink: (id) => sender.hubLink(id) }),
    createAuditWitnessService(deps, { targets: syncTargets, dataDir: opts.dataDir }),
    createVerificationService({ ...deps, files }),
    createAssistanceService({ ...deps, files }),
    createFieldService({ ...deps, files }, opts.dataDir),
    createHallFieldService({ ...deps, files }, () => syncTargets.all().filter((t): t is HubTargetConfig => t.kind === 'hub' && reachableHere(t, zone)), opts.dataDir, syncTargets.sender.requestTimeoutMs),
    createCalendarService(deps),
    transfer.handlers,
    createStoreService({ db, backupDir: paths.backupDir }),
  );
  if (opts.sync !== false) sender.start();
  transfer.start();
  const backups = new BackupScheduler({
    dbFile: paths.dbFile,
    backupDir: paths.backupDir,
    now,
    take: (name) => runInBackgroundWorker<BackupInfo & { ms: number }>('store.backup', { dbFile: paths.dbFile, backupDir: paths.backupDir, name }),
    log: (event, detail, level = 'info') => logger[level](event, detail),
  });
  if (opts.backups !== false) backups.start({ now: !opened.created });
  // After a restore: ask the targets for the cases the replaced store issued after the backup (once; again while a target is away).
  let lookingUp = false;
  const lookUp = () => {
    if (lookingUp) return;
    lookingUp = true;
    const reachable = syncTargets.caseTargets().filter((t) => reachableHere(t, zone));
    lookUpCasesAfterRestore(deps, reachable, syncTargets.sender.requestTimeoutMs)
      .catch((e: unknown) => logger.error('restore.lookupError', { error: e instanceof Error ? e.stack : String(e) }))
      .finally(() => (lookingUp = false));
  };
  const lookUpTimer = opts.sync !== false ? setInterval(lookUp, 30_000) : null;
  // Failures counted while the hub was away are reported once it is back (hall-lockouts.ts).
  const lockoutTimer =
    opts.sync !== false
      ? setInterval(() => void hallLockouts.flush().catch((e: unknown) => logger.error('auth.hallLockoutFailed', { error: e instanceof Error ? e.stack : String(e) })), Math.max(1000, syncTargets.sender.pollMs))
      : null;
  lockoutTimer?.unref();
  lookUpTimer?.unref();
  if (opts.sync !== false) lookUp();
  // The commitment's PDF worker, started and warmed in the background once the desk is ready (workers/worker-limits.ts).
  const stopWarming = warmLanesAfterReady((r) => (r.ok ? logger.info('worker.warmed', { ...r }) : logger.warn('worker.warmFailed', { ...r })));

  return {
    state: 'ready',
    problem: null,
    dispatcher: createDispatcher({ handlers, sessions: deps.sessions, logger }),
    logger,
    dbFile: paths.dbFile,
    close: () => {
      void backups.stop();
      if (lookUpTimer) clearInterval(lookUpTimer);
      if (lockoutTimer) clearInterval(lockoutTimer);
      clearInterval(checkpointTimer);
      stopWarming();
      transfer.stop();
      sender.halt();
      signAuditHead('stop');
      db.close();
    },
    stopSync: () => sender.stop(),
  };
}
