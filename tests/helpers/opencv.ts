import { createRequire } from 'node:module';
import { installNoEvalFunction, type NoEvalStats } from '../../renderer/src/scan/opencv-no-eval';
import type { CV } from '../../renderer/src/scan/pipeline';

/**
 * OpenCV.js loaded in Node as the scan worker loads it (through the same eval-free shim), for the
 * scan pipeline's unit tests. Emscripten's process handlers are removed again: they would turn any
 * later test failure into an abort.
 */
export async function loadOpenCvInNode(): Promise<{ cv: CV; noEval: NoEvalStats }> {
  const noEval = installNoEvalFunction();
  const before = { u: process.listeners('uncaughtException'), r: process.listeners('unhandledRejection') };
  const mod = createRequire(import.meta.url)('@techstark/opencv-js') as CV & { onRuntimeInitialized?: () => void };
  // Never `await` the module: it is a thenable that resolves to itself.
  await new Promise<void>((resolve) => {
    if (typeof mod.Mat === 'function') resolve();
    else mod.onRuntimeInitialized = () => resolve();
  });
  for (const l of process.listeners('uncaughtException')) if (!before.u.includes(l)) process.off('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection')) if (!before.r.includes(l)) process.off('unhandledRejection', l);
  return { cv: mod, noEval };
}
