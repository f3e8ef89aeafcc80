// The intake documents as PDFs: the written commitment (告知承诺书) and the acceptance receipt
// (受理回执). A4 portrait, Noto Sans SC embedded as subsets. Plain Node: no Electron, no DOM.
import { PDFDocument, rgb, type PDFFont, type PDFImage, type PDFPage, type RGB } from 'pdf-lib';
import QRCode from 'qrcode';
import { fontBytes, subsetSafeFontkit } from './fonts';
import { CHINA_OFFSET_MS } from '../../../shared/rules/china-time';

export interface CommitmentPdfInput {
  hall: { name: string };
  caseNo: string;
  applicant: { name: string; idLabel: string; idNumberMasked: string };
  /** legalBasis: the certificate's 设定依据, printed on every commitment. */
  certificate: { code: string; name: string; issuer: string; legalBasis: string };
  serviceItems: string[];
  template: { version: string; noticeText: string; commitmentText: string };
  /** The catalog's verification plan (事中事后核查), printed on every commitment whatever the template says. */
  verification: { method: string; timeLimitDays: number | null; samplingRatio: number | null };
  /** The applicant's handwritten signature: PNG, transparent or white background. */
  signaturePng: Uint8Array;
  signatureKind: 'pad' | 'screen' | 'scanned_paper';
  signedAt: string;
  /** Binds case, certificate, applicant, time, template and signature; printed on every page. */
  digest: { alg: 'SHA-256' | 'SM3'; value: string };
  clerk: { displayName: string };
  withdrawDeadline: string;
}

export interface ReceiptPdfInput {
  hall: { name: string; region: string };
  caseNo: string;
  acceptedAt: string;
  applicant: { name: string; idLabel: string; idNumberMasked: string };
  items: { name: string; department: string; timeLimitDays: number }[];
  certificates: { name: string; methodLabel: string; outcome: string }[];
  figures: { total: number; avoided: number; byMethod: { label: string; count: number }[] };
  clerk: { displayName: string };
}

// ---- page geometry and styles (PDF points; 1 mm = 72 / 25.4 pt) ----

const MM = 72 / 25.4;
const PAGE_WIDTH = 595.28;
const PAGE_HEIGHT = 841.89;
const MARGIN = 20 * MM;
const TOP = PAGE_HEIGHT - MARGIN;
const CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN;
const CELL_PAD_X = 2 * MM;
const CELL_PAD_Y = 1.5 * MM;

const INK = rgb(0.08, 0.08, 0.08);
const MUTED = rgb(0.42, 0.42, 0.42);
const RULE = rgb(0.55, 0.55, 0.55);
const LABEL_FILL = rgb(0.94, 0.94, 0.94);

interface Style { size: number; bold?: boolean; color?: RGB; leading?: number }
const TITLE: Style = { size: 20, bold: true, leading: 1.5 };
const SUBTITLE: Style = { size: 13, leading: 1.6 };
const HEADING: Style = { size: 12.5, bold: true, leading: 1.9 };
const BODY: Style = { size: 11, leading: 1.75 };
const CELL: Style = { size: 10.5, leading: 1.5 };
const SMALL: Style = { size: 9, color: MUTED, leading: 1.5 };
const FOOT: Style = { size: 7.5, color: MUTED, leading: 1.45 };

/** A horizontal band to write in: left edge, width and alignment. */
interface Box { x: number; width: number; align?: 'left' | 'center' | 'right' }
const FULL: Box = { x: MARGIN, width: CONTENT_WIDTH };
const CENTERED: Box = { ...FULL, align: 'center' };

interface Fonts { regular: PDFFont; bold: PDFFont }

const CREATOR = '无证明办理工作台';
const PRODUCER = 'Proof-Free Desk documents (pdf-lib)';
const INDENT = '\u3000\u3000'; // first-line indent of two ideographic spaces, as in official documents

// ---- line breaking ----

/** One breakable unit of CJK (and full-width) text: breaks are allowed before and after it. */
const CJK_CHAR = /[\u2E80-\u2FFF\u3000-\u303F\u3040-\u9FFF\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFFEF\u{20000}-\u{3134F}]/u;
/** Closing punctuation that must not begin a line (避头); the character before it moves down too. */
const NO_LINE_START = new Set([...'，。、；：？！）》」』】〕〉…—’”%‰,.;:?!)]}']);

/**
 * Breaks `text` into lines no wider than `maxWidth` at `size`: between any two CJK characters,
 * at spaces between Latin words, and inside a Latin word only when the word alone is too wide.
 * A newline starts a new paragraph; an empty paragraph gives an empty line.
 */
export function wrapText(text: string, font: PDFFont, size: number, maxWidth: number): string[] {
  const widths = new Map<string, number>();
  const widthOf = (s: string): number => {
    let w = widths.get(s);
    if (w === undefined) widths.set(s, (w = font.widthOfTextAtSize(s, size)));
    return w;
  };
  return text.split(/\r?\n/).flatMap((paragraph) => wrapParagraph(paragraph, widthOf, maxWidth));
}

function tokenize(paragraph: string): string[] {
  const tokens: string[] = [];
  let word = '';
  for (const ch of paragraph) {
    const isSpace = ch === ' ' || ch === '\t';
    if (!isSpace && !CJK_CHAR.test(ch)) {
      word += ch;
      continue;
    }
    if (word) tokens.push(word);
    word = '';
    tokens.push(isSpace ? ' ' : ch);
  }
  if (word) tokens.push(word);
  return tokens;
}

function wrapParagraph(paragraph: string, widthOf: (s: string) => number, maxWidth: number): string[] {
  const lines: string[] = [];
  let line: string[] = [];
  let lineWidth = 0;
  const push = (piece: string) => {
    line.push(piece);
    lineWidth += widthOf(piece);
  };
  const breakLine = () => {
    lines.push(line.join('').trimEnd());
    line = [];
    lineWidth = 0;
  };
  const place = (piece: string) => {
    if (lineWidth + widthOf(piece) <= maxWidth) return push(piece);
    if (piece === ' ') return breakLine(); // the space becomes the break
    const previous = line[line.length - 1];
    const carry = NO_LINE_START.has(piece[0]!) && line.length > 1 && previous !== undefined && previous !== ' '
      && widthOf(previous) + widthOf(piece) <= maxWidth;
    if (carry) line.pop();
    if (line.length > 0) breakLine();
    if (carry) push(previous);
    push(piece);
  };
  for (const token of tokenize(paragraph)) {
    if (token === ' ' && line.length === 0 && lines.length > 0) continue; // no leading space after a break
    if (widthOf(token) <= maxWidth) place(token);
    else for (const ch of token) place(ch); // a word wider than the line (a digest, a long code)
  }
  if (line.length > 0 || lines.length === 0) breakLine();
  return lines;
}

// ---- drawing primitives ----

function fontOf(fonts: Fonts, style: Style): PDFFont {
  return style.bold ? fonts.bold : fonts.regular;
}

function lineHeight(style: Style): number {
  return style.size * (style.leading ?? 1.5);
}

/** Draws one line of text in a line box whose top edge is at `top`, centred vertically in it. */
function drawLine(page: PDFPage, text: string, fonts: Fonts, style: Style, box: Box, top: number): void {
  const font = fontOf(fonts, style);
  const width = font.widthOfTextAtSize(text, style.size);
  const slack = box.width - width;
  const x = box.x + (box.align === 'center' ? slack / 2 : box.align === 'right' ? slack : 0);
  // The ideographic em box spans about -0.12…0.88 of the size around the baseline.
  const baseline = top - lineHeight(style) / 2 - 0.38 * style.size;
  page.drawText(text, { x, y: baseline, size: style.size, font, color: style.color ?? INK });
}

function drawRule(page: PDFPage, y: number, thickness = 0.6): void {
  page.drawLine({ start: { x: MARGIN, y }, end: { x: PAGE_WIDTH - MARGIN, y }, thickness, color: RULE });
}

/** A cursor running down the pages; starts a new page when the next thing does not fit. */
class Layout {
  page: PDFPage;
  y = TOP;

  constructor(private readonly doc: PDFDocument, readonly fonts: Fonts, private readonly bottom: number) {
    this.page = doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
  }

  /** Starts a new page unless `height` fits above the bottom (or the page is still empty). */
  ensure(height: number): void {
    if (this.y - height >= this.bottom || this.y === TOP) return;
    this.page = this.doc.addPage([PAGE_WIDTH, PAGE_HEIGHT]);
    this.y = TOP;
  }

  gap(height: number): void {
    this.y -= height;
  }

  /** Wrapped text at the cursor; each line breaks to a new page on its own if needed. */
  text(text: string, style: Style, box: Box = FULL): void {
    const height = lineHeight(style);
    for (const line of wrapText(text, fontOf(this.fonts, style), style.size, box.width)) {
      this.ensure(height);
      drawLine(this.page, line, this.fonts, style, box, this.y);
      this.y -= height;
    }
  }

  /** The height `text` takes when written with `text()`. */
  measure(text: string, style: Style, box: Box = FULL): number {
    return wrapText(text, fontOf(this.fonts, style), style.size, box.width).length * lineHeight(style);
  }

  /** Numbered section: a bold heading, then paragraphs with a two-character first-line indent. */
  section(heading: string, body: string): void {
    this.ensure(lineHeight(HEADING) + 2 * lineHeight(BODY)); // no heading alone at a page foot
    this.text(heading, HEADING);
    for (const paragraph of indentedParagraphs(body)) this.text(paragraph, BODY);
  }

  sectionHeight(heading: string, body: string): number {
    return lineHeight(HEADING) + indentedParagraphs(body).reduce((sum, p) => sum + this.measure(p, BODY), 0);
  }
}

function indentedParagraphs(body: string): string[] {
  return body.split(/\r?\n/).map((p) => p.trim()).filter((p) => p.length > 0).map((p) => INDENT + p);
}

// ---- tables ----

interface Table {
  widths: number[];
  rows: string[][];
  header?: string[];
  /** Columns drawn as labels (bold on grey), e.g. the left column of a block of facts. */
  labelColumns?: number[];
}

function drawTable(layout: Layout, table: Table): void {
  if (table.header) drawRow(layout, table.widths, table.header, () => true);
  const labels = new Set(table.labelColumns ?? []);
  for (const row of table.rows) drawRow(layout, table.widths, row, (i) => labels.has(i));
}

function drawRow(layout: Layout, widths: number[], cells: string[], isLabel: (column: number) => boolean): void {
  const styles = cells.map((_, i): Style => ({ ...CELL, bold: isLabel(i) }));
  const lines = cells.map((cell, i) => wrapText(cell, fontOf(layout.fonts, styles[i]!), CELL.size, widths[i]! - 2 * CELL_PAD_X));
  const textHeight = Math.max(...lines.map((l) => l.length)) * lineHeight(CELL);
  const height = textHeight + 2 * CELL_PAD_Y;
  layout.ensure(height);
  let x = MARGIN;
  cells.forEach((_, i) => {
    const width = widths[i]!;
    layout.page.drawRectangle({
      x, y: layout.y - height, width, height,
      borderColor: RULE, borderWidth: 0.6, color: isLabel(i) ? LABEL_FILL : undefined,
    });
    const box: Box = { x: x + CELL_PAD_X, width: width - 2 * CELL_PAD_X };
    const top = layout.y - (height - lines[i]!.length * lineHeight(CELL)) / 2; // centred vertically
    lines[i]!.forEach((line, k) => drawLine(layout.page, line, layout.fonts, styles[i]!, box, top - k * lineHeight(CELL)));
    x += width;
  });
  layout.y -= height;
}

/** Column widths in millimetres; the one column given as 'rest' takes what is left of the line. */
function columns(...millimetres: (number | 'rest')[]): number[] {
  const fixed = millimetres.reduce<number>((sum, m) => sum + (m === 'rest' ? 0 : m * MM), 0);
  return millimetres.map((m) => (m === 'rest' ? CONTENT_WIDTH - fixed : m * MM));
}

// ---- document set-up, footers, dates ----

interface DocumentInfo { title: string; subject: string; author: string; createdAt: string }

async function createDocument(info: DocumentInfo): Promise<{ doc: PDFDocument; fonts: Fonts }> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(subsetSafeFontkit);
  const [regular, bold] = await Promise.all([
    doc.embedFont(fontBytes('regular'), { subset: true }),
    doc.embedFont(fontBytes('bold'), { subset: true }),
  ]);
  const created = parseTime(info.createdAt);
  doc.setTitle(info.title, { showInWindowTitleBar: true });
  doc.setSubject(info.subject);
  doc.setAuthor(info.author);
  doc.setCreator(CREATOR);
  doc.setProducer(PRODUCER);
  doc.setCreationDate(created);
  doc.setModificationDate(created);
  doc.setLanguage('zh-CN');
  return { doc, fonts: { regular, bold } };
}

/** Height of the footer: its note lines plus the page number line. */
function footerHeight(noteLines: number): number {
  return (noteLines + 1) * lineHeight(FOOT) + 1.5 * MM;
}

/** Footer on every page, inside the bottom margin's upper edge: notes, then "第 N 页 / 共 M 页". */
function drawFooters(doc: PDFDocument, fonts: Fonts, notes: string[]): void {
  const pages = doc.getPages();
  pages.forEach((page, i) => {
    let top = MARGIN + footerHeight(notes.length);
    drawRule(page, top, 0.4);
    top -= 1.5 * MM;
    for (const note of notes) {
      drawLine(page, note, fonts, FOOT, FULL, top);
      top -= lineHeight(FOOT);
    }
    drawLine(page, `第 ${i + 1} 页 / 共 ${pages.length} 页`, fonts, FOOT, CENTERED, top);
  });
}

/** The lowest point body content may reach above a footer with `noteLines` note lines. */
function contentBottom(noteLines: number): number {
  return MARGIN + footerHeight(noteLines) + 4 * MM;
}

function parseTime(iso: string): Date {
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) throw new Error(`not an ISO time: ${iso}`);
  return time;
}


/** "2026年11月22日", in China time whatever the machine's time zone. */
export function formatChinaDate(iso: string): string {
  const t = new Date(parseTime(iso).getTime() + CHINA_OFFSET_MS);
  return `${t.getUTCFullYear()}年${t.getUTCMonth() + 1}月${t.getUTCDate()}日`;
}

/** "2026年11月22日 10:05", in China time whatever the machine's time zone. */
export function formatChinaDateTime(iso: string): string {
  const t = new Date(parseTime(iso).getTime() + CHINA_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${formatChinaDate(iso)} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`;
}

// ---- the commitment (告知承诺书) ----

export async function renderCommitmentPdf(input: CommitmentPdfInput): Promise<Uint8Array> {
  const digestLine = `数字摘要（${input.digest.alg}）：${input.digest.value}`;
  const { doc, fonts } = await createDocument({
    title: `证明事项告知承诺书 ${input.caseNo}`,
    subject: `${input.certificate.name} · ${digestLine}`,
    author: input.hall.name,
    createdAt: input.signedAt,
  });
  const notes = wrapText(digestLine, fonts.regular, FOOT.size, CONTENT_WIDTH);
  const layout = new Layout(doc, fonts, contentBottom(notes.length));

  layout.text('证明事项告知承诺书', TITLE, CENTERED);
  layout.text(`（${input.certificate.name}）`, SUBTITLE, CENTERED);
  layout.gap(3 * MM);
  drawTable(layout, { widths: columns(30, 'rest'), rows: commitmentFacts(input), labelColumns: [0] });
  layout.gap(4 * MM);
  layout.section('一、告知内容', input.template.noticeText);
  layout.gap(2 * MM);
  // The commitment and its signature go on one page whenever they fit on one.
  const signing = signingBlock(await embedSignature(doc, input.signaturePng), input);
  layout.ensure(layout.sectionHeight('二、申请人承诺', input.template.commitmentText) + SIGNING_GAP + signing.height);
  layout.section('二、申请人承诺', input.template.commitmentText);
  layout.gap(SIGNING_GAP);
  drawSigningBlock(layout, signing, input);
  drawFooters(doc, fonts, notes);
  return doc.save();
}

/** The commitment printed before signing, for the applicant to sign on paper (纸质签字): no signature, no digest yet. */
export type PaperCommitmentPdfInput = Omit<CommitmentPdfInput, 'signaturePng' | 'signatureKind' | 'signedAt' | 'digest' | 'withdrawDeadline'> & { printedAt: string };

/**
 * The same commitment as renderCommitmentPdf, with blank lines for the applicant's signature and
 * date. The signed paper is scanned back at the window; the digest is made from that scan when it
 * is signed (the PDF kept then is the one with the scan), so this printout carries none.
 */
export async function renderPaperCommitmentPdf(input: PaperCommitmentPdfInput): Promise<Uint8Array> {
  const note = '本承诺书由申请人本人签字后交窗口扫描留存；数字摘要在扫描签署时生成。';
  const { doc, fonts } = await createDocument({
    title: `证明事项告知承诺书 ${input.caseNo}（待签字）`,
    subject: input.certificate.name,
    author: input.hall.name,
    createdAt: input.printedAt,
  });
  const notes = wrapText(note, fonts.regular, FOOT.size, CONTENT_WIDTH);
  const layout = new Layout(doc, fonts, contentBottom(notes.length));
  layout.text('证明事项告知承诺书', TITLE, CENTERED);
  layout.text(`（${input.certificate.name}）`, SUBTITLE, CENTERED);
  layout.gap(3 * MM);
  drawTable(layout, { widths: columns(30, 'rest'), rows: commitmentFacts(input), labelColumns: [0] });
  layout.gap(4 * MM);
  layout.section('一、告知内容', input.template.noticeText);
  layout.gap(2 * MM);
  const signingHeight = 14 * MM + 5 * MM + 2 * lineHeight(BODY);
  layout.ensure(layout.sectionHeight('二、申请人承诺', input.template.commitmentText) + SIGNING_GAP + signingHeight);
  layout.section('二、申请人承诺', input.template.commitmentText);
  layout.gap(SIGNING_GAP);
  const right: Box = { x: MARGIN + CONTENT_WIDTH * 0.42, width: CONTENT_WIDTH * 0.58 };
  layout.gap(8 * MM); // room for the handwriting above the line
  layout.text('承诺人（签名）：____________________', BODY, right);
  layout.text('签署日期：________年____月____日', BODY, right);
  layout.gap(3 * MM);
  drawRule(layout.page, layout.y, 0.4);
  layout.gap(2 * MM);
  layout.text(`经办人：${input.clerk.displayName}`, BODY);
  layout.text(`受理单位：${input.hall.name}`, BODY);
  drawFooters(doc, fonts, notes);
  return doc.save();
}

function commitmentFacts(input: Pick<CommitmentPdfInput, 'applicant' | 'certificate' | 'caseNo' | 'serviceItems' | 'verification' | 'template'>): string[][] {
  const { applicant, certificate } = input;
  return [
    ['办件编号', input.caseNo],
    ['申请人', applicant.name],
    ['证件号码', `${applicant.idLabel}  ${applicant.idNumberMasked}`],
    ['申请事项', input.serviceItems.join('、')],
    ['证明事项', `${certificate.name}（${certificate.code}）`],
    ['开具单位', certificate.issuer],
    ['设定依据', certificate.legalBasis],
    ['核查安排', verificationPlanText(input.verification)],
    ['格式文本版本', input.template.version],
  ];
}

/** The verification plan in words: 实地调查，20个工作日内，抽查比例20% / 免于核查（行政机关保留依法核查的权利）. */
export function verificationPlanText(v: CommitmentPdfInput['verification']): string {
  if (v.method === '免于核查') return '免于核查（行政机关保留依法核查的权利）';
  const parts = [v.method];
  if (v.timeLimitDays !== null) parts.push(`${v.timeLimitDays}个工作日内`);
  if (v.samplingRatio !== null) parts.push(`抽查比例${Math.round(v.samplingRatio * 1000) / 10}%`);
  return parts.join('，');
}

/** A signature drawn on screen (PNG) or a scanned signed paper (PNG or JPEG). */
async function embedSignature(doc: PDFDocument, image: Uint8Array): Promise<PDFImage> {
  const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47];
  if (PNG_MAGIC.every((byte, i) => image[i] === byte)) return doc.embedPng(image);
  if (image[0] === 0xff && image[1] === 0xd8) return doc.embedJpg(image);
  throw new Error('the signature image is neither PNG nor JPEG');
}

const SIGNING_GAP = 6 * MM;

interface SigningBlock { image: PDFImage; width: number; height: number; scanned: boolean; imageHeight: number }

/** The signature scaled into 60 × 24 mm, and the height of the whole signing block below it. */
function signingBlock(image: PDFImage, input: CommitmentPdfInput): SigningBlock {
  const { width, height: imageHeight } = image.scaleToFit(60 * MM, 24 * MM);
  const scanned = input.signatureKind === 'scanned_paper';
  const height = imageHeight + 1 * MM + (scanned ? lineHeight(SMALL) : 0) + lineHeight(BODY) // signature, time
    + 5 * MM + 3 * lineHeight(BODY); // rule, deadline, clerk, hall
  return { image, width, height, scanned, imageHeight };
}

/** Signature and signing time on the right; below a rule, the withdrawal deadline and the case's people. */
function drawSigningBlock(layout: Layout, block: SigningBlock, input: CommitmentPdfInput): void {
  layout.ensure(block.height);
  const label = '承诺人（签名）：';
  const right: Box = { x: MARGIN + CONTENT_WIDTH * 0.42, width: CONTENT_WIDTH * 0.58 };
  const imageX = right.x + layout.fonts.regular.widthOfTextAtSize(label, BODY.size) + 2 * MM;
  const imageBottom = layout.y - block.imageHeight;
  // The label sits on the signature's lower part, where a handwritten name's baseline usually is.
  drawLine(layout.page, label, layout.fonts, BODY, right, imageBottom + 0.9 * lineHeight(BODY));
  layout.page.drawImage(block.image, { x: imageX, y: imageBottom, width: block.width, height: block.imageHeight });
  layout.gap(block.imageHeight + 1 * MM);
  if (block.scanned) layout.text('（签字纸质件扫描）', SMALL, { x: imageX, width: right.x + right.width - imageX });
  layout.text(`签署时间：${formatChinaDateTime(input.signedAt)}`, BODY, right);

  layout.gap(3 * MM);
  drawRule(layout.page, layout.y, 0.4);
  layout.gap(2 * MM);
  layout.text(`可撤回截止：${formatChinaDateTime(input.withdrawDeadline)}`, BODY);
  layout.text(`经办人：${input.clerk.displayName}`, BODY);
  layout.text(`受理单位：${input.hall.name}`, BODY);
}

// ---- the receipt (受理回执) ----

const QR_SIZE = 30 * MM;

export async function renderReceiptPdf(input: ReceiptPdfInput): Promise<Uint8Array> {
  const { doc, fonts } = await createDocument({
    title: `受理回执 ${input.caseNo}`,
    subject: `办件编号 ${input.caseNo}`,
    author: input.hall.name,
    createdAt: input.acceptedAt,
  });
  const layout = new Layout(doc, fonts, contentBottom(0));
  const qrBottom = await drawCaseQr(doc, layout.page, input.caseNo, fonts);

  // Centred between two QR-wide gutters so a long hall name never runs under the code.
  const gutter = QR_SIZE + 4 * MM;
  layout.gap(4 * MM);
  layout.text(input.hall.name, SUBTITLE, { x: MARGIN + gutter, width: CONTENT_WIDTH - 2 * gutter, align: 'center' });
  layout.text('受理回执', { ...TITLE, size: 22 }, CENTERED);
  layout.y = Math.min(layout.y, qrBottom) - 4 * MM;

  drawTable(layout, { widths: columns(24, 58, 24, 'rest'), rows: receiptFacts(input), labelColumns: [0, 2] });
  layout.gap(5 * MM);
  layout.text('一、申请事项', HEADING);
  drawTable(layout, { widths: columns('rest', 56, 30), header: ['事项名称', '实施部门', '承诺时限'], rows: itemRows(input) });
  layout.gap(5 * MM);
  layout.text('二、证明事项', HEADING);
  drawTable(layout, { widths: columns(48, 36, 'rest'), header: ['证明事项', '处理方式', '办理情况'], rows: certificateRows(input) });
  layout.gap(4 * MM);
  drawReceiptClosing(layout, input);
  drawFooters(doc, fonts, []);
  return doc.save();
}

/** The case number as a QR code in the top right corner, captioned; returns its lowest point. */
async function drawCaseQr(doc: PDFDocument, page: PDFPage, caseNo: string, fonts: Fonts): Promise<number> {
  const png = await QRCode.toBuffer(caseNo, { type: 'png', errorCorrectionLevel: 'M', margin: 1, scale: 8 });
  const image = await doc.embedPng(png);
  const x = PAGE_WIDTH - MARGIN - QR_SIZE;
  page.drawImage(image, { x, y: TOP - QR_SIZE, width: QR_SIZE, height: QR_SIZE });
  drawLine(page, '扫码核对办件编号', fonts, { ...FOOT, leading: 1.6 }, { x, width: QR_SIZE, align: 'center' }, TOP - QR_SIZE);
  return TOP - QR_SIZE - lineHeight({ ...FOOT, leading: 1.6 });
}

function receiptFacts(input: ReceiptPdfInput): string[][] {
  const { applicant } = input;
  return [
    ['办件编号', input.caseNo, '受理时间', formatChinaDateTime(input.acceptedAt)],
    ['申请人', applicant.name, '证件号码', `${applicant.idLabel}  ${applicant.idNumberMasked}`],
  ];
}

function itemRows(input: ReceiptPdfInput): string[][] {
  return input.items.map((item) => [item.name, item.department, item.timeLimitDays === 0 ? '即办' : `${item.timeLimitDays}个工作日`]);
}

function certificateRows(input: ReceiptPdfInput): string[][] {
  if (input.certificates.length === 0) return [['本件不涉及证明事项', '—', '—']];
  return input.certificates.map((c) => [c.name, c.methodLabel, c.outcome]);
}

/** "本件涉及证明 X 项，免于申请人提交 Y 项（直接取消 a 项、告知承诺 b 项）。" — zero counts left out. */
export function figuresSentence(figures: ReceiptPdfInput['figures']): string {
  const parts = figures.byMethod.filter((m) => m.count > 0).map((m) => `${m.label} ${m.count} 项`);
  const detail = parts.length > 0 ? `（${parts.join('、')}）` : '';
  return `本件涉及证明 ${figures.total} 项，免于申请人提交 ${figures.avoided} 项${detail}。`;
}

/** Figures, the closing note and the sign-off, kept together so the sign-off never stands alone. */
function drawReceiptClosing(layout: Layout, input: ReceiptPdfInput): void {
  const notes = [figuresSentence(input.figures), '请妥善保管本回执，可凭办件编号查询办理进度。'];
  const signOff = [`经办人：${input.clerk.displayName}`, `受理单位：${input.hall.name}（${input.hall.region}）`, formatChinaDate(input.acceptedAt)];
  const box: Box = { x: MARGIN + CONTENT_WIDTH * 0.4, width: CONTENT_WIDTH * 0.6, align: 'right' };
  const gap = 6 * MM;
  const height = (lines: string[], at?: Box) => lines.reduce((sum, line) => sum + layout.measure(line, BODY, at), 0);
  layout.ensure(height(notes) + gap + height(signOff, box));
  for (const line of notes) layout.text(line, BODY);
  layout.gap(gap);
  for (const line of signOff) layout.text(line, BODY, box);
}

// ---- the guide (办事指南) ----

export interface GuidePdfInput {
  hall: { name: string; region: string };
  item: { code: string; name: string; department: string; kind: string; timeLimitDays: number };
  guide: { basis?: string; conditions?: string; location?: string; phone?: string };
  materials: { name: string; form: string; required: boolean; note: string }[];
  certificates: { name: string; methodLabel: string; howTo: string }[];
  catalogVersion: string;
  printedAt: string;
}

/** The printable guide for one service item: what to bring, and which certificates nobody may ask for. */
export async function renderGuidePdf(input: GuidePdfInput): Promise<Uint8Array> {
  const { doc, fonts } = await createDocument({
    title: `办事指南 ${input.item.name}`,
    subject: `${input.item.code} · ${input.catalogVersion}`,
    author: input.hall.name,
    createdAt: input.printedAt,
  });
  const note = `依据：${input.catalogVersion} · 打印时间：${formatChinaDateTime(input.printedAt)}`;
  const layout = new Layout(doc, fonts, contentBottom(1));
  layout.text(input.hall.name, SUBTITLE, CENTERED);
  layout.text('办事指南', TITLE, CENTERED);
  layout.text(input.item.name, { ...SUBTITLE, bold: true }, CENTERED);
  layout.gap(3 * MM);
  drawTable(layout, {
    widths: columns(30, 'rest'),
    labelColumns: [0],
    rows: [
      ['实施编码', input.item.code],
      ['实施部门', input.item.department],
      ['事项类型', input.item.kind],
      ['承诺时限', input.item.timeLimitDays === 0 ? '即办' : `${input.item.timeLimitDays}个工作日`],
      ...(input.guide.basis ? [['办理依据', input.guide.basis]] : []),
      ...(input.guide.conditions ? [['受理条件', input.guide.conditions]] : []),
      ['办理地点', input.guide.location || `${input.hall.name}综合受理窗口`],
      ...(input.guide.phone ? [['咨询电话', input.guide.phone]] : []),
    ],
  });
  layout.gap(5 * MM);
  layout.text('一、申请材料', HEADING);
  const materials = input.materials.length
    ? input.materials.map((m) => [m.name, m.form, m.required ? '必需' : '视情形', m.note || '—'])
    : [['申请人有效身份证件', '原件', '必需', '窗口核验后当场退还']];
  drawTable(layout, { widths: columns('rest', 22, 20, 50), header: ['材料名称', '形式', '要求', '说明'], rows: materials });
  layout.gap(5 * MM);
  layout.text('二、证明事项及办理方式', HEADING);
  drawTable(layout, {
    widths: columns(46, 30, 'rest'),
    header: ['证明事项', '处理方式', '申请人需要做什么'],
    rows: input.certificates.map((c) => [c.name, c.methodLabel, c.howTo]),
  });
  layout.gap(4 * MM);
  layout.text('已直接取消的证明，任何单位和个人不得再要求申请人提供。适用告知承诺的，申请人可自主选择以书面承诺代替证明，也可自行提交证明。', SMALL);
  drawFooters(doc, fonts, [note]);
  return doc.save();
}

// ---- the notice of refusal (不予受理告知书) ----

export interface RejectionNoticePdfInput {
  hall: { name: string; region: string };
  caseNo: string;
  /** When the application was made (the case opened) and when it was refused. */
  appliedAt: string;
  rejectedAt: string;
  applicant: { name: string; idLabel: string; idNumberMasked: string };
  items: { name: string; department: string }[];
  /** The clerk's reason, as recorded with the refusal. */
  reason: string;
  clerk: { displayName: string };
}

/**
 * The written decision not to accept (行政许可法 第三十二条: a refusal is decided in writing, with its
 * reason), naming the applicant's remedies: 行政复议 within sixty days (行政复议法 第二十条) or a suit
 * within six months (行政诉讼法 第四十六条).
 */
export async function renderRejectionNoticePdf(input: RejectionNoticePdfInput): Promise<Uint8Array> {
  const { doc, fonts } = await createDocument({
    title: `不予受理告知书 ${input.caseNo}`,
    subject: `办件编号 ${input.caseNo}`,
    author: input.hall.name,
    createdAt: input.rejectedAt,
  });
  const layout = new Layout(doc, fonts, contentBottom(0));
  layout.gap(4 * MM);
  layout.text(input.hall.name, SUBTITLE, CENTERED);
  layout.text('不予受理告知书', { ...TITLE, size: 22 }, CENTERED);
  layout.gap(4 * MM);
  // The case number on one line (30 characters).
  drawTable(layout, { widths: columns(22, 70, 22, 'rest'), rows: rejectionFacts(input), labelColumns: [0, 2] });
  layout.gap(5 * MM);
  layout.text(`${input.applicant.name}：`, BODY);
  for (const paragraph of rejectionParagraphs(input)) layout.text(paragraph, BODY);
  layout.gap(10 * MM);
  const right: Box = { x: MARGIN + CONTENT_WIDTH * 0.4, width: CONTENT_WIDTH * 0.6, align: 'right' };
  layout.text(`${input.hall.name}（${input.hall.region}）`, BODY, right);
  layout.text(formatChinaDate(input.rejectedAt), BODY, right);
  layout.gap(6 * MM);
  drawRule(layout.page, layout.y, 0.4);
  layout.gap(2 * MM);
  layout.text(`经办人：${input.clerk.displayName}`, BODY);
  layout.text('申请人（签收）：____________________    签收日期：________年____月____日', BODY);
  drawFooters(doc, fonts, []);
  return doc.save();
}

function rejectionFacts(input: RejectionNoticePdfInput): string[][] {
  const { applicant } = input;
  return [
    ['办件编号', input.caseNo, '申请时间', formatChinaDateTime(input.appliedAt)],
    ['申请人', applicant.name, '证件号码', `${applicant.idLabel}  ${applicant.idNumberMasked}`],
    ['申请事项', input.items.map((i) => i.name).join('、'), '实施部门', [...new Set(input.items.map((i) => i.department))].join('、')],
  ];
}

/** The notice's body: what was applied for, why it is refused, on what basis, and the remedies. */
export function rejectionParagraphs(input: RejectionNoticePdfInput): string[] {
  const items = input.items.map((i) => `“${i.name}”`).join('、');
  return [
    `${INDENT}你（单位）于${formatChinaDate(input.appliedAt)}提出的${items}申请，经审查，因${input.reason.replace(/[。；;.\s]+$/, '')}，根据《中华人民共和国行政许可法》第三十二条的规定，决定不予受理。`,
    `${INDENT}如对本决定不服，可以自收到本告知书之日起六十日内依法申请行政复议，或者自收到本告知书之日起六个月内依法向人民法院提起行政诉讼。`,
  ];
}

// ---- warming a worker (workers/run-in-worker.ts, warm lanes) ----

/** A 1×1 grey PNG: the smallest image that takes pdf-lib's PNG path (a signature drawn on the pad is a PNG). */
const WARM_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAAAAAA6fptVAAAACklEQVR4nGNoAAAAggCBd81ytgAAAABJRU5ErkJggg==', 'base64');

/**
 * Loads what a worker's first document needs, so that the first one at the window does not pay for
 * it: both fonts read and parsed (fonts.ts keeps them for the worker's life), and a throwaway page
 * drawn with them — a table, wrapped text, an image, footers — and saved, which runs the embedding,
 * image and subsetting code once. Nothing is kept but what the fonts module caches.
 */
export async function warmDocuments(): Promise<void> {
  const { doc, fonts } = await createDocument({ title: '预热', subject: '预热', author: CREATOR, createdAt: '2026-01-01T00:00:00.000Z' });
  const layout = new Layout(doc, fonts, contentBottom(1));
  layout.text('证明事项告知承诺书', TITLE, CENTERED);
  drawTable(layout, { widths: columns(30, 'rest'), rows: [['办件编号', '420325-ZWFW-20260101-0001'], ['申请人', '王芳']], labelColumns: [0] });
  layout.section('一、告知内容', '申请人应当如实承诺，行政机关依法核查。');
  layout.page.drawImage(await embedSignature(doc, WARM_PNG), { x: MARGIN, y: layout.y - 10, width: 10, height: 10 });
  drawFooters(doc, fonts, ['预热']);
  await doc.save();
}
