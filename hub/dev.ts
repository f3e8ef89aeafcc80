import { startCluster } from './cluster';
import { serve } from './main';

/** npm run hub:dev [-- --listen 127.0.0.1:7400]: a throwaway PostgreSQL cluster and the hub on it; Ctrl-C stops both and removes the cluster. */
async function dev(): Promise<void> {
  const i = process.argv.indexOf('--listen');
  const cluster = await startCluster({ prefix: 'pfd-hub-dev-' });
  process.stdout.write(`PostgreSQL (throwaway) at ${cluster.url} in ${cluster.dir}\n`);
  try {
    const hub = await serve(cluster.url, i >= 0 ? process.argv[i + 1]! : '127.0.0.1:7400');
    const stop = () => void hub.close().finally(() => {
      cluster.stop();
      process.exit(0);
    });
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } catch (e) {
    cluster.stop();
    throw e;
  }
}

dev().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).message}\n`);
  process.exit(1);
});
