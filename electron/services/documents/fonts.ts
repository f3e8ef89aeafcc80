import fs from 'node:fs';
import path from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import type { PDFDocument } from 'pdf-lib';
import { appRoot } from '../../app/paths';

export type FontWeight = 'regular' | 'bold';

/** The fontkit interface pdf-lib expects (pdf-lib does not export the type itself). */
type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];
type FontkitFont = ReturnType<Fontkit['create']>;

const FILES: Record<FontWeight, { dist: string; dev: string }> = {
  regular: { dist: 'NotoSansSC-Regular.ttf', dev: '400Regular/NotoSansSC_400Regular.ttf' },
  bold: { dist: 'NotoSansSC-Bold.ttf', dev: '700Bold/NotoSansSC_700Bold.ttf' },
};

/**
 * The Noto Sans SC TTF for a weight. The packaged app reads the copy that scripts/build.mjs puts
 * into dist/fonts/; development and tests fall back to the font package in node_modules.
 */
export function fontPath(weight: FontWeight): string {
  const root = appRoot();
  const candidates = [
    path.join(root, 'dist', 'fonts', FILES[weight].dist),
    path.join(root, 'node_modules', '@expo-google-fonts', 'noto-sans-sc', FILES[weight].dev),
  ];
  const found = candidates.find((file) => fs.existsSync(file));
  if (!found) throw new Error(`Noto Sans SC (${weight}) not found; looked in: ${candidates.join(', ')}`);
  return found;
}

const loadedBytes = new Map<FontWeight, Uint8Array>();

/** The font file's bytes, read once per process (about 10 MB per weight). */
export function fontBytes(weight: FontWeight): Uint8Array {
  let bytes = loadedBytes.get(weight);
  if (!bytes) loadedBytes.set(weight, (bytes = fs.readFileSync(fontPath(weight))));
  return bytes;
}

/** The slice of @pdf-lib/fontkit's (untyped) TrueType subset this module touches. */
interface TtfSubsetInternals {
  glyf: PolyfillBuffer[];
  offset: number;
  _addGlyph(gid: number): number;
}
interface PolyfillBuffer extends Uint8Array {
  copy(target: Uint8Array): number;
  constructor: { alloc(size: number): PolyfillBuffer };
}

/**
 * @pdf-lib/fontkit 1.1.1 (the last release of pdf-lib's fork) writes TrueType subsets with a
 * short `loca` table whenever they are small, halving every glyph offset without padding the
 * glyph records to an even length. One odd-length record shifts every later glyph by a byte, so
 * most CJK characters of Noto Sans SC render blank, silently (pdf-lib#1232; fixed upstream in
 * fontkit 1.8 by foliojs/fontkit#191). This wrapper pads each copied glyph record to an even
 * length, which is what the short format requires; everything else is the fork unchanged.
 *
 * Parsed fonts are also kept per byte array (parsing the CJK font costs ~50 ms per weight and
 * document); each document still gets its own subset, so sharing the parsed font is safe.
 */
export const subsetSafeFontkit: Fontkit = {
  create(bytes, postscriptName) {
    const cached = postscriptName === undefined ? parsedFonts.get(bytes) : undefined;
    if (cached) return cached;
    const font = fontkit.create(bytes, postscriptName);
    const createSubset = font.createSubset.bind(font);
    font.createSubset = () => padGlyphRecords(createSubset());
    if (postscriptName === undefined) parsedFonts.set(bytes, font);
    return font;
  },
};
const parsedFonts = new WeakMap<Uint8Array, FontkitFont>();

function padGlyphRecords<T extends object>(subset: T): T {
  const internals = subset as unknown as Partial<TtfSubsetInternals>;
  const addGlyph = internals._addGlyph;
  if (typeof addGlyph !== 'function') return subset; // a CFF subset, or a fontkit without the bug
  internals._addGlyph = function (this: TtfSubsetInternals, gid: number): number {
    const index = addGlyph.call(this, gid);
    const record = this.glyf[index];
    if (record && record.length % 2 === 1) {
      // Same Buffer class as the fork's own records (its stream rejects any other chunk type).
      const padded = record.constructor.alloc(record.length + 1);
      record.copy(padded);
      this.glyf[index] = padded;
      this.offset += 1;
    }
    return index;
  };
  return subset;
}
