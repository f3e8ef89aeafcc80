/**
 * The simulator as its own process.
 *   npx tsx sim/vertical-system/main.ts                      demo targets, fixed ports (npm run sim)
 *   ... --data-dir <dir> --targets '<json TargetConfig[]>' --control-port <n> [--exit-on-stdin-close]
 * Prints `SIM_READY {"control": <port>, "targets": {"<id>": <port>}}` on stdout once every port
 * listens; exits 0 on SIGTERM/SIGINT (and, with --exit-on-stdin-close, when its parent goes away).
 */
import os from 'node:os';
import path from 'node:path';
import { startVerticalSim } from './sim';
import { DEMO_CONTROL_PORT, DEMO_TARGETS } from './demo-targets';
import type { TargetConfig } from './types';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const targetsArg = arg('--targets');
  const demo = targetsArg === undefined;
  const targets = demo ? DEMO_TARGETS : (JSON.parse(targetsArg) as TargetConfig[]);
  const dataDir = path.resolve(arg('--data-dir') ?? path.join(os.tmpdir(), 'proof-free-desk-vertical-sim'));
  const controlPort = Number(arg('--control-port') ?? (demo ? DEMO_CONTROL_PORT : 0));

  const sim = await startVerticalSim({ dataDir, targets, controlPort });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  if (process.argv.includes('--exit-on-stdin-close')) {
    process.stdin.on('end', stop);
    process.stdin.on('error', stop);
    process.stdin.resume();
  }

  process.stdout.write(`SIM_READY ${JSON.stringify({ control: sim.controlPort, targets: sim.ports })}\n`);
  if (demo) {
    const lines = targets.map((t) => `  ${t.id.padEnd(9)} ${sim.targets[t.id]}  令牌 ${t.token}  ${t.honourIdempotency ? '识别幂等键' : '不识别幂等键'}  ${t.name}`);
    process.stdout.write(`模拟垂直业务系统已启动（数据目录 ${dataDir}）：\n${lines.join('\n')}\n  控制接口 ${sim.control}/control/targets\n`);
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`模拟垂直业务系统启动失败：${String((e as Error)?.message ?? e)}\n`);
  process.exit(1);
});
