// Checks a native module (.node) before it ships: the CPU architecture it was built for and, for
// Linux (ELF), the highest GLIBC symbol version it needs — a binary built on a newer glibc than
// UOS 20's 2.28 does not load there. Windows (PE) files: the architecture.
//
//   node scripts/check-native.mjs FILE [--arch x64|arm64] [--max-glibc 2.28]
//
// Prints one JSON line {file, format, arch, glibc}; exit 0 when every given condition holds,
// 1 naming what does not, 2 when the file cannot be read as ELF or PE.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ELF_MACHINES = { 0x3e: 'x64', 0xb7: 'arm64', 0x03: 'ia32', 0x28: 'arm' };
const PE_MACHINES = { 0x8664: 'x64', 0xaa64: 'arm64', 0x14c: 'ia32' };
const SHT_GNU_VERNEED = 0x6ffffffe;

/** Compares dotted versions numerically: '2.28' < '2.34', '2.3.4' < '2.10'. */
export function compareVersions(a, b) {
  const x = a.split('.').map(Number);
  const y = b.split('.').map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

function cString(buf, at) {
  let end = at;
  while (end < buf.length && buf[end] !== 0) end++;
  return buf.toString('latin1', at, end);
}

/** The versions an ELF file requires, from its SHT_GNU_verneed section (what the dynamic loader checks). */
function elfNeededVersions(buf) {
  const is64 = buf[4] === 2;
  const le = buf[5] === 1;
  const u16 = (o) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const addr = (o) => (is64 ? Number(le ? buf.readBigUInt64LE(o) : buf.readBigUInt64BE(o)) : u32(o));
  const shoff = addr(is64 ? 0x28 : 0x20);
  const shentsize = u16(is64 ? 0x3a : 0x2e);
  const shnum = u16(is64 ? 0x3c : 0x30);
  const section = (i) => {
    const o = shoff + i * shentsize;
    return { type: u32(o + 4), offset: addr(o + (is64 ? 0x18 : 0x10)), link: u32(o + (is64 ? 0x28 : 0x18)), info: u32(o + (is64 ? 0x2c : 0x1c)) };
  };
  const versions = [];
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (s.type !== SHT_GNU_VERNEED) continue;
    const strtab = section(s.link).offset;
    let need = s.offset;
    for (let n = 0; n < s.info; n++) {
      const file = cString(buf, strtab + u32(need + 4));
      let aux = need + u32(need + 8);
      for (let k = 0, cnt = u16(need + 2); k < cnt; k++) {
        versions.push({ file, name: cString(buf, strtab + u32(aux + 8)) });
        const next = u32(aux + 12);
        if (next === 0) break;
        aux += next;
      }
      const nextNeed = u32(need + 12);
      if (nextNeed === 0) break;
      need += nextNeed;
    }
  }
  return versions;
}

/** {format, arch, glibc} of a .node file's bytes; glibc is the highest GLIBC_x.y it needs (ELF), or null. */
export function inspectNative(buf) {
  if (buf.length > 0x40 && buf.readUInt32BE(0) === 0x7f454c46) {
    const le = buf[5] === 1;
    const machine = le ? buf.readUInt16LE(0x12) : buf.readUInt16BE(0x12);
    const glibcs = elfNeededVersions(buf)
      .map((v) => /^GLIBC_(\d+(?:\.\d+)+)$/.exec(v.name)?.[1])
      .filter((v) => v !== undefined)
      .sort(compareVersions);
    return { format: 'elf', arch: ELF_MACHINES[machine] ?? `machine 0x${machine.toString(16)}`, glibc: glibcs.at(-1) ?? null };
  }
  if (buf.length > 0x40 && buf.toString('latin1', 0, 2) === 'MZ') {
    const pe = buf.readUInt32LE(0x3c);
    if (pe + 6 <= buf.length && buf.toString('latin1', pe, pe + 4) === 'PE\0\0') {
      const machine = buf.readUInt16LE(pe + 4);
      return { format: 'pe', arch: PE_MACHINES[machine] ?? `machine 0x${machine.toString(16)}`, glibc: null };
    }
  }
  throw new Error('not an ELF or PE file');
}

/** The conditions that fail, in English (empty: all hold). */
export function problems(info, { arch, maxGlibc } = {}) {
  const out = [];
  if (arch && info.arch !== arch) out.push(`built for ${info.arch}, expected ${arch}`);
  if (maxGlibc && info.format === 'elf' && info.glibc && compareVersions(info.glibc, maxGlibc) > 0) out.push(`needs GLIBC_${info.glibc}, newer than ${maxGlibc}`);
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { arch: { type: 'string' }, 'max-glibc': { type: 'string' } } });
  const file = positionals[0];
  if (!file) {
    console.error('usage: node scripts/check-native.mjs FILE [--arch x64|arm64] [--max-glibc 2.28]');
    process.exit(2);
  }
  let info;
  try {
    info = inspectNative(readFileSync(file));
  } catch (e) {
    console.error(`${file}: ${e.message}`);
    process.exit(2);
  }
  console.log(JSON.stringify({ file, ...info }));
  const found = problems(info, { arch: values.arch, maxGlibc: values['max-glibc'] });
  for (const p of found) console.error(`${file}: ${p}`);
  process.exit(found.length ? 1 : 0);
}
