import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import fontkit from '@pdf-lib/fontkit';
import { PDFDict, PDFDocument, PDFName, PDFRawStream, decodePDFRawStream, type PDFFont } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  formatChinaDateTime, renderCommitmentPdf, renderReceiptPdf, wrapText,
  type CommitmentPdfInput, type ReceiptPdfInput,
} from '../../electron/services/documents/pdf';
import { fontBytes, fontPath, subsetSafeFontkit } from '../../electron/services/documents/fonts';
import { ROOT } from '../helpers/temp';

/** Where the rendered pages are left for a human to look at (overwritten on every run). */
const OUT_DIR = path.join(os.tmpdir(), 'desk-documents-pdf');
const POPPLER = spawnSync('pdftoppm', ['-v']).error === undefined;
const NO_POPPLER = 'pdftoppm/pdftotext (poppler-utils) not installed: apt-get install -y poppler-utils';
if (!POPPLER) console.warn(`documents-pdf: rendering checks skipped — ${NO_POPPLER}`);

// ---- fixtures ----

const NOTICE = [
  '根据《国务院办公厅关于全面推行证明事项告知承诺制的指导意见》（国办发〔2020〕42号）和本县实施方案，申请人办理上述事项所需提交的户籍证明实行告知承诺制。申请人可以自主选择是否采用告知承诺方式办理；不愿承诺或者无法承诺的，应当依法提交相关证明，不影响事项的正常办理。',
  '一、事项办理条件。申请人应当具有本县常住户口，年满十六周岁（不含在校学生），未参加城镇职工基本养老保险，且未领取国家规定的基本养老保障待遇。申请人委托他人代为办理的，受托人应当出示本人有效身份证件及授权委托书，但告知承诺书必须由申请人本人签署，任何人不得代为签署。',
  '二、证明义务与证明内容。申请人应当证明本人户籍所在地、户籍登记状态及家庭成员关系等情况属实。原由户籍所在地公安派出所开具的户籍证明，改由申请人书面承诺已经符合上述要求，受理单位不再索要该证明，也不得要求申请人另行提交其他替代材料。',
  '三、承诺方式。申请人应当在本承诺书上亲笔签名，或者通过窗口配备的签名设备签名，对所填报信息的真实性、准确性和完整性负责。以电子方式签署的，系统将记录签署时间，并以数字摘要（SHA-256 或 SM3）将签名与本文书内容绑定；签署后的文书内容不得更改。',
  '四、核查权力与配合义务。行政机关有权通过数据共享、部门协查、实地调查、公示核查等方式对申请人的承诺内容进行核查。申请人应当积极配合核查工作，如实提供相关信息和材料；无正当理由拒不配合核查的，视为承诺不实，按照不实承诺处理。',
  '五、核查时间与标准。受理单位将在作出行政决定后三十个工作日内完成核查，核查标准以国家和省有关规定为准；对风险较低的事项，可以采取随机抽查方式，抽查比例不低于百分之十。核查结果通过全国一体化政务服务平台（National Integrated Online Government Service Platform）记录备查。',
  '六、不实承诺的法律责任。经核查发现承诺不实的，行政机关将依法终止办理、责令限期整改、撤销行政决定或者予以行政处罚，并将申请人的不实承诺信息记入信用记录，依照有关规定实施联合惩戒；涉嫌犯罪的，依法移送司法机关追究刑事责任。',
  '七、信用修复。因虚假承诺被记入信用记录的，申请人可以在规定的公示期限届满后，按照《失信行为纠正后的信用信息修复管理办法（试行）》（国家发展和改革委员会令第58号）申请信用修复；信用修复完成前，申请人不再适用告知承诺制。',
  '八、撤回承诺。申请人可以在可撤回截止时间前，向受理窗口书面申请撤回本承诺，改为提交相关证明材料；撤回后，本承诺书不再作为办理依据，已受理的事项按照提交证明的方式继续办理，受理时间重新计算。',
  '九、不适用情形。申请人有较严重的不良信用记录，或者曾作出虚假承诺等情形的，在信用修复前不适用告知承诺制，应当提交相关证明。涉及公共安全、生态环境保护和直接关系人身健康、生命财产安全的事项，不适用告知承诺制。',
  '十、文书保存。本承诺书及其签名图像、签署时间和数字摘要由受理单位归档保存，保存期限不少于相关事项档案的保存期限；申请人可以凭办件编号申请查阅或者复制本人签署的承诺书。',
  '十一、个人信息保护。行政机关对办理过程中获取的个人信息依法予以保密，仅用于本事项的办理和核查，不得用于其他目的，不得向第三方提供。咨询电话：0719-3221234（工作日 9:00—17:00），监督电话：12345。',
  '十二、其他事项。本告知承诺书未尽事宜，按照国家和省、市有关规定执行。申请人对告知内容有疑问的，可以在签署前向窗口工作人员咨询，工作人员应当当场解释说明；申请人签署即视为已经阅读并理解本告知书的全部内容。',
].join('\n');

const COMMITMENT_TEXT = [
  '本人已经知晓行政机关告知的全部内容，现郑重承诺如下：',
  '一、本人符合告知的条件、标准和技术要求；',
  '二、本人能够提交行政机关告知的相关材料；',
  '三、本人所填写的信息和提供的材料全部真实、准确、完整；',
  '四、本人愿意接受行政机关的核查，并承担不实承诺的法律责任。',
  '以上承诺是本人真实意思的表示。',
].join('\n');

const DIGEST = 'SHA-256' as const;
const DIGEST_VALUE = '3f6c2a9d81e04b7c5a2e9f10d4b86c37e15a0f92c4d7b3e8a61f05c92d7e4b18';

function commitmentInput(overrides: Partial<CommitmentPdfInput> = {}): CommitmentPdfInput {
  return {
    hall: { name: '房县政务服务中心' },
    caseNo: 'FX-20261122-0007',
    applicant: { name: '李明', idLabel: '居民身份证', idNumberMasked: '4203**********1238' },
    certificate: { code: 'ZM-HJ-001', name: '户籍证明', issuer: '房县公安局城关派出所', legalBasis: '《中华人民共和国户口登记条例》第三条' },
    serviceItems: ['城乡居民基本养老保险参保登记', '城乡居民医疗保险参保登记', '社会保障卡申领'],
    template: { version: 'FX-GZCN-2026-03 v2', noticeText: NOTICE, commitmentText: COMMITMENT_TEXT },
    verification: { method: '书面核查', timeLimitDays: 15, samplingRatio: 0.2 },
    signaturePng: signaturePng(),
    signatureKind: 'pad',
    signedAt: '2026-11-22T02:05:00.000Z',
    digest: { alg: DIGEST, value: DIGEST_VALUE },
    clerk: { displayName: '张敏' },
    withdrawDeadline: '2026-11-29T09:00:00.000Z',
    ...overrides,
  };
}

const RECEIPT: ReceiptPdfInput = {
  hall: { name: '房县政务服务中心', region: '湖北省十堰市房县' },
  caseNo: 'FX-20261122-0007',
  acceptedAt: '2026-11-22T02:12:00.000Z',
  applicant: { name: '李明', idLabel: '居民身份证', idNumberMasked: '4203**********1238' },
  items: [
    { name: '城乡居民基本养老保险参保登记', department: '房县人力资源和社会保障局', timeLimitDays: 0 },
    { name: '城乡居民医疗保险参保登记', department: '房县医疗保障局', timeLimitDays: 0 },
    { name: '社会保障卡申领', department: '房县人力资源和社会保障局', timeLimitDays: 5 },
  ],
  certificates: [
    { name: '户籍证明', methodLabel: '告知承诺', outcome: '申请人已签署告知承诺书，事后核查' },
    { name: '无犯罪记录证明', methodLabel: '直接取消', outcome: '已取消，不再提交' },
    { name: '居住证明', methodLabel: '数据共享', outcome: '已通过共享平台核验' },
    { name: '婚姻状况证明', methodLabel: '部门核验', outcome: '已向民政局发起协查，3个工作日内反馈' },
    { name: '一寸免冠照片', methodLabel: '保留', outcome: '窗口现场采集' },
  ],
  figures: {
    total: 5,
    avoided: 4,
    byMethod: [
      { label: '直接取消', count: 1 },
      { label: '告知承诺', count: 1 },
      { label: '数据共享', count: 1 },
      { label: '部门核验', count: 1 },
      { label: '代办', count: 0 },
    ],
  },
  clerk: { displayName: '张敏' },
};

/** A handwritten-looking stroke on a transparent (or white) background, as a signature pad sends it. */
function signaturePng(background: 'transparent' | 'white' = 'transparent'): Buffer {
  const width = 420;
  const height = 140;
  const rgba = Buffer.alloc(width * height * 4, background === 'white' ? 255 : 0);
  const ink = (x: number, y: number) => {
    for (let dy = -2; dy <= 2; dy++) {
      for (let dx = -2; dx <= 2; dx++) {
        const px = Math.round(x) + dx;
        const py = Math.round(y) + dy;
        if (px < 0 || py < 0 || px >= width || py >= height || dx * dx + dy * dy > 5) continue;
        rgba.set([18, 28, 80, 255], (py * width + px) * 4);
      }
    }
  };
  for (let t = 0; t <= 1; t += 0.0002) {
    const x = 24 + t * (width - 48) + 18 * Math.sin(t * Math.PI * 14);
    const y = height / 2 + 34 * Math.sin(t * Math.PI * 5) * Math.cos(t * Math.PI * 1.5) + 16 * Math.cos(t * Math.PI * 14);
    ink(x, y);
  }
  return encodePng(width, height, rgba);
}

function encodePng(width: number, height: number, rgba: Buffer): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const frame = Buffer.alloc(8 + data.length + 4);
    frame.writeUInt32BE(data.length, 0);
    body.copy(frame, 4);
    frame.writeUInt32BE(zlib.crc32(body), 8 + data.length);
    return frame;
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const rows = Buffer.alloc((width * 4 + 1) * height); // filter byte 0 before every row
  for (let y = 0; y < height; y++) rgba.copy(rows, y * (width * 4 + 1) + 1, y * width * 4, (y + 1) * width * 4);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk('IHDR', header), chunk('IDAT', zlib.deflateSync(rows)), chunk('IEND', Buffer.alloc(0))]);
}

// ---- reading the PDFs back ----

/** The decoded FontFile2 (embedded TrueType) streams of a document. */
function embeddedTrueTypeFonts(pdf: PDFDocument): Uint8Array[] {
  const fonts: Uint8Array[] = [];
  for (const [, object] of pdf.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict) || object.get(PDFName.of('Type')) !== PDFName.of('FontDescriptor')) continue;
    const file = object.lookup(PDFName.of('FontFile2'));
    if (file instanceof PDFRawStream) fonts.push(decodePDFRawStream(file).decode());
  }
  return fonts;
}

/**
 * Walks a TrueType file's loca/glyf tables and counts glyph records whose header is garbage — what
 * @pdf-lib/fontkit's unpatched subsetter produces (misaligned short `loca` offsets).
 */
function glyphHealth(ttf: Uint8Array): { glyphs: number; broken: number } {
  const view = new DataView(ttf.buffer, ttf.byteOffset, ttf.byteLength);
  const tables = new Map<string, number>();
  for (let i = 0; i < view.getUint16(4); i++) {
    const record = 12 + 16 * i;
    tables.set(String.fromCharCode(...ttf.subarray(record, record + 4)), view.getUint32(record + 8));
  }
  const [head, loca, glyf, maxp] = ['head', 'loca', 'glyf', 'maxp'].map((tag) => tables.get(tag)!);
  const longOffsets = view.getInt16(head! + 50) === 1;
  const offset = (g: number) => (longOffsets ? view.getUint32(loca! + 4 * g) : 2 * view.getUint16(loca! + 2 * g));
  let glyphs = 0;
  let broken = 0;
  for (let g = 0; g < view.getUint16(maxp! + 4); g++) {
    if (offset(g + 1) === offset(g)) continue; // an empty glyph (space)
    const at = glyf! + offset(g);
    const contours = view.getInt16(at);
    const [xMin, yMin, xMax, yMax] = [2, 4, 6, 8].map((o) => view.getInt16(at + o));
    glyphs++;
    if (contours < -1 || contours > 500 || xMin! > xMax! || yMin! > yMax!) broken++;
  }
  return { glyphs, broken };
}

/** The image XObjects on a page, as [width, height] in pixels. */
function pageImages(pdf: PDFDocument, pageIndex: number): [number, number][] {
  const xObjects = pdf.getPage(pageIndex).node.Resources()?.lookupMaybe(PDFName.of('XObject'), PDFDict);
  if (!xObjects) return [];
  return xObjects.keys().flatMap((key) => {
    const stream = xObjects.lookup(key);
    if (!(stream instanceof PDFRawStream) || stream.dict.get(PDFName.of('Subtype')) !== PDFName.of('Image')) return [];
    const size = (k: string) => Number(stream.dict.get(PDFName.of(k))?.toString());
    return [[size('Width'), size('Height')] as [number, number]];
  });
}

function poppler(tool: 'pdftotext' | 'pdftoppm', args: string[]): string {
  const run = spawnSync(tool, args, { encoding: 'utf8' });
  expect(run.status, `${tool} ${args.join(' ')}: ${run.stderr}`).toBe(0);
  expect(run.stderr, `${tool} complained (a broken embedded font shows up here)`).toBe('');
  return run.stdout;
}

/** Writes the PDF, renders every page to PNG at 80 dpi, and returns the page texts (pdftotext). */
async function renderWithPoppler(name: string, bytes: Uint8Array): Promise<string[]> {
  const pages = (await PDFDocument.load(bytes)).getPageCount();
  const file = path.join(OUT_DIR, `${name}.pdf`);
  fs.writeFileSync(file, bytes);
  poppler('pdftoppm', ['-r', '80', '-png', file, path.join(OUT_DIR, name)]);
  const pngs = fs.readdirSync(OUT_DIR).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png'));
  expect(pngs).toHaveLength(pages);
  return Array.from({ length: pages }, (_, i) => poppler('pdftotext', ['-f', `${i + 1}`, '-l', `${i + 1}`, file, '-']));
}

const squeeze = (text: string) => text.replace(/\s+/g, '');

// ---- tests ----

describe('documents: fonts', () => {
  it('reads the fonts from dist/fonts, where the build copies them for the packaged app', () => {
    expect(fontPath('regular')).toBe(path.join(ROOT, 'dist', 'fonts', 'NotoSansSC-Regular.ttf'));
    expect(fontPath('bold')).toBe(path.join(ROOT, 'dist', 'fonts', 'NotoSansSC-Bold.ttf'));
  });

  it('needs the subset patch: the unpatched @pdf-lib/fontkit still garbles CJK glyphs', async () => {
    // When this fails, the fork has been fixed and subsetSafeFontkit's padding can go.
    const subsetWith = async (kit: typeof subsetSafeFontkit) => {
      const doc = await PDFDocument.create();
      doc.registerFontkit(kit);
      const font = await doc.embedFont(fontBytes('regular'), { subset: true });
      doc.addPage().drawText('证明事项告知承诺书 办件编号 ABC-123 申请人：李明', { font, x: 20, y: 400 });
      const saved = await PDFDocument.load(await doc.save());
      return glyphHealth(embeddedTrueTypeFonts(saved)[0]!);
    };
    expect((await subsetWith(fontkit)).broken).toBeGreaterThan(0);
    expect((await subsetWith(subsetSafeFontkit)).broken).toBe(0);
  });
});

describe('documents: wrapText', () => {
  let font: PDFFont;
  beforeAll(async () => {
    const doc = await PDFDocument.create();
    doc.registerFontkit(subsetSafeFontkit);
    font = await doc.embedFont(fontBytes('regular'), { subset: true });
  });
  const width = (line: string) => font.widthOfTextAtSize(line, 11);

  it('breaks between CJK characters and never runs past the width', () => {
    const lines = wrapText(NOTICE, font, 11, 300);
    expect(lines.length).toBeGreaterThan(NOTICE.length / 30);
    for (const line of lines) expect(width(line)).toBeLessThanOrEqual(300);
    expect(squeeze(lines.join(''))).toBe(squeeze(NOTICE)); // nothing lost but the break spaces
  });

  it('breaks Latin text at spaces, and a word only when it alone is too wide', () => {
    const lines = wrapText('Integrated Online Government Service Platform', font, 11, 120);
    expect(lines).toEqual(['Integrated Online', 'Government Service', 'Platform']);
    const hex = wrapText(DIGEST_VALUE, font, 11, 150);
    expect(hex.length).toBeGreaterThan(1);
    expect(hex.join('')).toBe(DIGEST_VALUE);
    for (const line of hex) expect(width(line)).toBeLessThanOrEqual(150);
  });

  it('keeps closing punctuation off the start of a line and keeps paragraphs apart', () => {
    const tenChars = width('一二三四五六七八九十');
    const lines = wrapText('一二三四五六七八九十，下一行\n\n第二段', font, 11, tenChars + 1);
    expect(lines).toEqual(['一二三四五六七八九', '十，下一行', '', '第二段']);
  });

  it('formats times in China time (UTC+8) whatever the machine time zone', () => {
    expect(formatChinaDateTime('2026-11-22T02:05:00Z')).toBe('2026年11月22日 10:05');
    expect(formatChinaDateTime('2026-12-31T16:30:00Z')).toBe('2027年1月1日 00:30');
  });
});

describe('documents: PDF rendering', () => {
  beforeAll(() => {
    fs.rmSync(OUT_DIR, { recursive: true, force: true });
    fs.mkdirSync(OUT_DIR, { recursive: true });
  });

  it('renders the commitment with embedded, well-formed font subsets, wrapping the long notice onto further pages', async () => {
    expect(NOTICE.length).toBeGreaterThan(1400);
    const bytes = await renderCommitmentPdf(commitmentInput());
    expect(bytes.length).toBeLessThan(300_000); // subsets: the full font would be ~6 MB per weight

    const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
    // Facts (with 设定依据 and 核查安排) and the notice fill two pages; the commitment and signature go together on the third.
    expect(pdf.getPageCount()).toBe(3);
    expect(pdf.getTitle()).toBe('证明事项告知承诺书 FX-20261122-0007');
    expect(pdf.getCreator()).toBe('无证明办理工作台');
    expect(pdf.getCreationDate()?.toISOString()).toBe('2026-11-22T02:05:00.000Z');

    const fonts = embeddedTrueTypeFonts(pdf);
    expect(fonts).toHaveLength(2); // regular and bold
    for (const ttf of fonts) {
      const health = glyphHealth(ttf);
      expect(health.glyphs).toBeGreaterThan(20);
      expect(health.broken).toBe(0);
    }
    expect(pageImages(pdf, 2)).toHaveLength(1); // the signature, after the long notice
  });

  it('renders the receipt on one page with the case number QR code at the top', async () => {
    const bytes = await renderReceiptPdf(RECEIPT);
    expect(bytes.length).toBeLessThan(300_000);
    const pdf = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(pdf.getPageCount()).toBe(1);
    expect(pdf.getTitle()).toBe('受理回执 FX-20261122-0007');
    expect(pdf.getCreationDate()?.toISOString()).toBe(RECEIPT.acceptedAt);
    const images = pageImages(pdf, 0);
    expect(images).toHaveLength(1);
    expect(images[0]![0]).toBe(images[0]![1]); // square: the QR code
    expect(embeddedTrueTypeFonts(pdf)).toHaveLength(2);
  });

  it('renders cleanly in poppler, with the digest and page numbers on every page', async (ctx) => {
    if (!POPPLER) return ctx.skip(NO_POPPLER);
    const pages = await renderWithPoppler('commitment', await renderCommitmentPdf(commitmentInput()));
    expect(pages).toHaveLength(3);
    pages.forEach((text, i) => {
      expect(squeeze(text)).toContain(squeeze(`数字摘要（SHA-256）：${DIGEST_VALUE}`));
      expect(squeeze(text)).toContain(`第${i + 1}页/共3页`);
    });
    const all = squeeze(pages.join(''));
    for (const expected of ['证明事项告知承诺书', '4203**********1238', '城乡居民基本养老保险参保登记、城乡居民医疗保险参保登记', '签署时间：2026年11月22日10:05', '可撤回截止：2026年11月29日17:00', '经办人：张敏',
      // Always printed from the catalog, whatever the template text says (国办发〔2020〕42号).
      '设定依据《中华人民共和国户口登记条例》第三条', '核查安排书面核查，15个工作日内，抽查比例20%']) {
      expect(all).toContain(squeeze(expected));
    }
    expect(all).not.toContain('签字纸质件扫描');

    const receipt = squeeze((await renderWithPoppler('receipt', await renderReceiptPdf(RECEIPT))).join(''));
    expect(receipt).toContain(squeeze('本件涉及证明 5 项，免于申请人提交 4 项（直接取消 1 项、告知承诺 1 项、数据共享 1 项、部门核验 1 项）。'));
    expect(receipt).toContain('即办');
    expect(receipt).toContain('5个工作日');
  });

  it('marks a scanned paper signature and accepts SM3 digests and white-background signatures', async (ctx) => {
    const input = commitmentInput({
      signatureKind: 'scanned_paper',
      signaturePng: signaturePng('white'),
      digest: { alg: 'SM3', value: DIGEST_VALUE.split('').reverse().join('') },
    });
    const bytes = await renderCommitmentPdf(input);
    if (!POPPLER) return ctx.skip(NO_POPPLER);
    const text = squeeze((await renderWithPoppler('commitment-scanned', bytes)).join(''));
    expect(text).toContain('（签字纸质件扫描）');
    expect(text).toContain(squeeze(`数字摘要（SM3）：${input.digest.value}`));
  });
});
