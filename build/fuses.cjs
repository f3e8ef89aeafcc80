'use strict';
/**
 * The Electron fuses the packaged desk ships with — one list, flipped by build/afterPack.cjs and
 * read back by scripts/check-fuses.mjs (the packaging smoke test). Why each one: afterPack.cjs.
 */
const { FuseV1Options } = require('@electron/fuses');

/** @type {Partial<Record<number, boolean>>} */
const DESK_FUSES = {
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};

module.exports = { DESK_FUSES };
