// Reads the fuses of a packaged desk's executable back with @electron/fuses and checks each one
// the desk sets (build/fuses.cjs, the list build/afterPack.cjs flips).
//
//   node scripts/check-fuses.mjs EXECUTABLE      (release/linux-unpacked/proof-free-desk, …/无证明办理工作台.exe)
//
// Prints one JSON line {file, fuses: {name: 'ENABLE'|'DISABLE'|…}}; exit 0 when all match,
// 1 naming each that does not, 2 when the file has no fuse wire.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { getCurrentFuseWire, FuseV1Options } = require('@electron/fuses');
const { FuseState } = require('@electron/fuses/dist/constants');
const { DESK_FUSES } = require('../build/fuses.cjs');

/** The desk's fuses as found in the executable, and the ones that differ from build/fuses.cjs. */
export async function checkFuses(executable) {
  const wire = await getCurrentFuseWire(executable);
  const fuses = {};
  const wrong = [];
  for (const [index, wanted] of Object.entries(DESK_FUSES)) {
    const name = FuseV1Options[Number(index)];
    const state = wire[Number(index)];
    fuses[name] = FuseState[state] ?? `missing`;
    const expected = wanted ? FuseState.ENABLE : FuseState.DISABLE;
    if (state !== expected) wrong.push(`${name} is ${fuses[name]}, expected ${FuseState[expected]}`);
  }
  return { fuses, wrong };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: node scripts/check-fuses.mjs EXECUTABLE');
    process.exit(2);
  }
  let result;
  try {
    result = await checkFuses(file);
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    process.exit(2);
  }
  console.log(JSON.stringify({ file, fuses: result.fuses }));
  for (const w of result.wrong) console.error(`${file}: ${w}`);
  process.exit(result.wrong.length ? 1 : 0);
}
