'use strict';
/**
 * electron-builder afterPack hook: flips Electron fuses in the packaged
 * executable, before electron-builder signs it (fuses change the binary, so
 * they must be flipped before any signature is applied).
 *
 * - RunAsNode off: the desk executable cannot be used as a plain Node
 *   (ELECTRON_RUN_AS_NODE) to run arbitrary scripts with the desk's identity.
 * - NODE_OPTIONS and --inspect/--inspect-brk ignored: no code injection or
 *   debugger attachment through the environment or the command line.
 * - Cookie encryption on (OS keystore where available).
 * - Only app.asar is loaded, and (Windows/macOS) its header hash is checked
 *   against the value electron-builder embeds in the executable.
 * - file:// gets no extra privileges (the renderer is served from app://desk).
 *
 * strictlyRequireAllFuses is left off on purpose: newer Electron versions add
 * fuses that @electron/fuses may not name yet, and those keep their defaults.
 */
const path = require('node:path');
const { flipFuses, getCurrentFuseWire, FuseVersion, FuseV1Options } = require('@electron/fuses');
const { DESK_FUSES } = require('./fuses.cjs');
const { FuseState } = require('@electron/fuses/dist/constants');

/** @param {import('app-builder-lib').AfterPackContext} context */
function executablePath(context) {
  const { appOutDir, packager, electronPlatformName } = context;
  const productFilename = packager.appInfo.productFilename;
  switch (electronPlatformName) {
    case 'darwin':
    case 'mas':
      // @electron/fuses finds the Electron Framework inside the bundle itself.
      return path.join(appOutDir, `${productFilename}.app`);
    case 'win32':
      return path.join(appOutDir, `${productFilename}.exe`);
    case 'linux': {
      // LinuxPackager names the binary after linux.executableName (proof-free-desk),
      // not after the (Chinese) product name.
      const executableName = /** @type {{ executableName?: string }} */ (packager).executableName;
      return path.join(appOutDir, executableName || productFilename);
    }
    default:
      throw new Error(`afterPack: unsupported platform ${electronPlatformName}`);
  }
}

/** @param {import('app-builder-lib').AfterPackContext} context */
exports.default = async function afterPack(context) {
  const electronBinary = executablePath(context);
  const isMac = context.electronPlatformName === 'darwin' || context.electronPlatformName === 'mas';

  await flipFuses(electronBinary, {
    version: FuseVersion.V1,
    // Flipping fuses invalidates the ad-hoc signature of arm64 macOS binaries.
    resetAdHocDarwinSignature: isMac,
    ...DESK_FUSES,
  });

  // Read the wire back so the build log shows what actually shipped.
  const wire = await getCurrentFuseWire(electronBinary);
  const summary = Object.entries(wire)
    .filter(([key]) => key !== 'version' && key !== 'resetAdHocDarwinSignature' && key !== 'strictlyRequireAllFuses')
    .map(([key, state]) => `${FuseV1Options[Number(key)] ?? `fuse#${key}`}=${FuseState[Number(state)] ?? state}`)
    .join(', ');
  console.log(`  • fuses flipped  file=${electronBinary}\n    ${summary}`);
};
