// The machine's own scheduling noise, measured beside a bench: an idle Node process that does
// nothing but measure its event-loop delay (monitorEventLoopDelay, the resolution it is given).
// Whatever delay it sees is not caused by the code under test but by the machine (other
// processes, the disk, the hypervisor). Driven over IPC by bench/loop-lag.ts:
//   {cmd: 'start', resolutionMs}  → starts a window
//   {cmd: 'stop'}                 → answers {p50Ms, p99Ms, p999Ms, maxMs, meanMs, count} (delay minus resolution)
import { monitorEventLoopDelay } from 'node:perf_hooks';

let h = null;
let resolutionMs = 1;
process.on('message', (msg) => {
  if (msg.cmd === 'start') {
    resolutionMs = msg.resolutionMs;
    h = monitorEventLoopDelay({ resolution: resolutionMs });
    h.enable();
    process.send({ started: true });
  } else if (msg.cmd === 'stop') {
    h.disable();
    const lag = (ns) => Math.max(0, ns / 1e6 - resolutionMs);
    process.send({ p50Ms: lag(h.percentile(50)), p99Ms: lag(h.percentile(99)), p999Ms: lag(h.percentile(99.9)), maxMs: lag(h.max), meanMs: lag(h.mean), count: h.count });
    h = null;
  } else if (msg.cmd === 'exit') process.exit(0);
});
process.send({ ready: true });
