/**
 * Workbook bytes → a catalog, or every problem found in it.
 *
 * Everything is validated before anything could be written: sheets and
 * columns, required cells per handling method, choices, numbers, dates,
 * duplicate codes and every cross-reference (item → certificate, bundle →
 * item). Runs in a worker thread (job 'catalog.parseXlsx').
 */
import ExcelJS from 'exceljs';
import {
  APPLICANT_SELF,
  COMMITMENT_BASIS,
  commitmentAllowed,
  DEFAULT_RISK_CLASS,
  METHOD_LABELS,
  RISK_CLASSES,
  SERVICE_ITEM_KINDS,
  TRUST_GRADES,
  type CertificateMethod,
  type RiskClass,
  type ServiceItemKind,
  type TrustGrade,
} from '../../../shared/domain/catalog';
import { missingNoticeParts } from '../../../shared/rules/commitment-notice';
import type { CatalogFileProblem } from '../../../shared/ipc/methods/catalog-io';
import { checkUscc, USCC_PROBLEM_MESSAGES } from '../../../shared/rules/uscc';
import type { CatalogBundle, CatalogCertificate, CatalogCircumstance, CatalogParseResult, CatalogServiceItem, CatalogVersionInfo } from './catalog-model';
import { isMangledNumber, readDate, readDays, readPercent } from './cell-values';
import { ProblemList, readSheet, tooManyRows, type SheetRow } from './sheet-reader';
import { checkRowLimit } from './row-limit';
import {
  BUNDLE_COLUMNS,
  CERTIFICATE_COLUMNS,
  CIRCUMSTANCE_COLUMNS,
  CODE_LIST_SEPARATORS,
  EXEMPT_VERIFICATION,
  METHOD_CHOICES,
  methodFromLabel,
  SERVICE_ITEM_COLUMNS,
  SHEETS,
  splitMaterialNames,
  VERIFICATION_METHODS,
  VERIFY_MODES,
  validityMonths,
  VERSION_COLUMNS,
  YES_NO,
  yesNo,
} from './xlsx-layout';

/** More problems than this are summarised: the first ones are enough to start fixing. */
export const MAX_REPORTED_PROBLEMS = 300;

/** Parts of a sheet exceljs need not read: a whole-column drop-down would be expanded to a million cells. */
const IGNORED_NODES = ['dataValidations', 'conditionalFormatting', 'drawing', 'picture', 'tableParts', 'extLst'];

const NOT_A_WORKBOOK = '无法读取该文件：不是有效的 .xlsx 工作簿。请在 Excel 或 WPS 中“另存为”Excel 工作簿（*.xlsx）后重新导入';

type CertKey = keyof typeof CERTIFICATE_COLUMNS;
type ItemKey = keyof typeof SERVICE_ITEM_COLUMNS;

export async function parseCatalogXlsx(bytes: Buffer): Promise<CatalogParseResult> {
  // The row limit first, while streaming: a huge workbook is never loaded whole (row-limit.ts).
  let verdict: Awaited<ReturnType<typeof checkRowLimit>>;
  try {
    verdict = await checkRowLimit(bytes);
  } catch (e) {
    return { ok: false, errors: [{ sheet: '', row: 0, column: '', message: NOT_A_WORKBOOK }], reason: `row-limit pass: ${String(e)}` };
  }
  if (verdict.over) return { ok: false, errors: [{ sheet: verdict.over.sheet, row: 0, column: '', message: tooManyRows(verdict.over.sheet) }] };
  const workbook = new ExcelJS.Workbook();
  try {
    // exceljs types its input as its own Buffer (an ArrayBuffer); it reads a Node Buffer as is.
    await workbook.xlsx.load(bytes as unknown as ExcelJS.Buffer, { ignoreNodes: IGNORED_NODES });
  } catch (e) {
    return { ok: false, errors: [{ sheet: '', row: 0, column: '', message: NOT_A_WORKBOOK }], reason: `exceljs load: ${String(e)}` };
  }
  return readCatalogWorkbook(workbook);
}

export function readCatalogWorkbook(workbook: ExcelJS.Workbook): CatalogParseResult {
  const problems = new ProblemList();
  const sheetNamed = (name: string) => workbook.worksheets.find((ws) => ws.name.trim() === name);
  const required = (name: string) => {
    const ws = sheetNamed(name);
    if (!ws) problems.add(name, 0, '', `缺少工作表“${name}”`);
    return ws;
  };
  const certSheet = required(SHEETS.certificates);
  const itemSheet = required(SHEETS.serviceItems);
  const bundleSheet = required(SHEETS.bundles);
  const versionSheet = sheetNamed(SHEETS.version);
  // Optional: a workbook from before circumstances has none, and every certificate applies always.
  const circumstanceSheet = sheetNamed(SHEETS.circumstances);

  const circumstances = circumstanceSheet ? readCircumstances(circumstanceSheet, problems) : { list: [], codes: new Set<string>() };
  const certs = certSheet ? readCertificates(certSheet, problems, circumstances.codes) : null;
  const items = itemSheet ? readServiceItems(itemSheet, problems, certs?.codes ?? null, certs?.list ?? null) : null;
  const bundles = bundleSheet ? readBundles(bundleSheet, problems, items?.codes ?? null) : null;
  const version = versionSheet ? readVersionInfo(versionSheet, problems) : { label: null, effectiveFrom: null, note: '', row: null };

  if (problems.count > 0 || !certs || !items || !bundles) return { ok: false, errors: summarised(problems.items) };
  return { ok: true, catalog: { version, circumstances: circumstances.list, certificates: certs.list, serviceItems: items.list, bundles: bundles.list } };
}

function summarised(problems: CatalogFileProblem[]): CatalogFileProblem[] {
  if (problems.length <= MAX_REPORTED_PROBLEMS) return problems;
  const rest = problems.length - MAX_REPORTED_PROBLEMS;
  return [
    ...problems.slice(0, MAX_REPORTED_PROBLEMS),
    { sheet: '', row: 0, column: '', message: `另有 ${rest} 处问题未列出，请先修正以上问题后重新导入` },
  ];
}

// ------------------------------------------------------------------ codes

/** Codes are joined with 、 , ; in other cells, so they may not contain those or spaces. */
function listCodeProblem(header: string, code: string): string | null {
  return /^[^\s、,，;；]+$/.test(code) ? null : `${header}“${code}”不能含有空格或“、，；”等分隔符`;
}

/** 实施编码 (GB/T 39554 style, 31 characters): the department's unified social credit code + 13 digits. */
function implementationCodeProblem(code: string): string | null {
  if (!/^[0-9A-Z]{18}\d{13}$/.test(code)) {
    return `实施编码“${code}”格式不正确，应为31位：实施部门统一社会信用代码（18位）加13位数字（事项类型2位、主项5位、子项3位、业务项3位）`;
  }
  const uscc = checkUscc(code.slice(0, 18));
  return uscc ? `实施编码“${code}”的前18位不是有效的统一社会信用代码：${USCC_PROBLEM_MESSAGES[uscc]}` : null;
}

/** A code cell: required, not mangled into a number by Excel, and unique in its sheet. */
function readCode<K extends string>(
  row: SheetRow<K>,
  key: K,
  header: string,
  seen: Map<string, number>,
  formatProblem: (code: string) => string | null,
  normalise: (code: string) => string = (c) => c,
): string | null {
  const cell = row.cell(key);
  if (cell && isMangledNumber(cell)) {
    row.problem(key, `${header}被 Excel 当作数字保存，末尾数字已丢失；请把该列设为“文本”格式后重新填写`);
    return null;
  }
  const code = normalise(row.required(key));
  if (!code) return null;
  const problem = formatProblem(code);
  if (problem) {
    row.problem(key, problem);
    return null;
  }
  const first = seen.get(code);
  if (first !== undefined) {
    row.problem(key, `${header}“${code}”与第${first}行重复`);
    return null;
  }
  seen.set(code, row.number);
  return code;
}

/** A cell listing codes; each must be known (when the referenced sheet could be read) and listed once. */
function readCodeList<K extends string>(
  row: SheetRow<K>,
  key: K,
  header: string,
  known: ReadonlySet<string> | null,
  sheetOfKnown: string,
  normalise: (code: string) => string = (c) => c,
): string[] {
  const codes = row.text(key).split(CODE_LIST_SEPARATORS).filter(Boolean).map(normalise);
  const listed = new Set<string>();
  for (const code of codes) {
    if (listed.has(code)) row.problem(key, `${header}中“${code}”重复填写`);
    else if (known && !known.has(code)) row.problem(key, `${header}“${code}”不在“${sheetOfKnown}”中`);
    listed.add(code);
  }
  return [...listed];
}

function choiceProblem(header: string, value: string, choices: readonly string[]): string {
  return `${header}“${value}”不是有效选项，应为：${choices.join('、')}`;
}

function days<K extends string>(row: SheetRow<K>, key: K, header: string, when?: string): number {
  const text = row.required(key, when);
  const cell = row.cell(key);
  if (!text || !cell) return 0;
  const read = readDays(cell, header);
  if ('problem' in read) {
    row.problem(key, read.problem);
    return 0;
  }
  return read.value;
}

// ------------------------------------------------------------ certificates

function readCertificates(ws: ExcelJS.Worksheet, problems: ProblemList, circumstanceCodes: ReadonlySet<string> | null) {
  const C = CERTIFICATE_COLUMNS;
  const sheet = readSheet(ws, SHEETS.certificates, C, problems);
  const seen = new Map<string, number>();
  const list: CatalogCertificate[] = [];
  for (const row of sheet.rows) {
    const code = readCode(row, 'code', C.code.header, seen, (c) => listCodeProblem(C.code.header, c));
    const name = row.required('name');
    const issuer = row.required('issuer');
    const legalBasis = row.required('legalBasis');
    const methodNote = row.text('methodNote');
    const label = row.required('method');
    const method = label ? methodFromLabel(label) : null;
    if (label && !method) row.problem('method', choiceProblem(C.method.header, label, METHOD_CHOICES));
    const methodDetail = method ? readMethodDetail(row, method, label) : {};
    const circumstance = readCondition(row, circumstanceCodes);
    const subject = row.text('subject') || APPLICANT_SELF;
    const validity = validityMonths(row.text('validity'));
    if (validity === undefined) row.problem('validity', `有效期“${row.text('validity')}”无法识别，应为“长期”或月数（如“12个月”“6”“1年”）`);
    const gradeText = row.text('trustGrade').toUpperCase();
    const trustGrade = (gradeText || 'B') as TrustGrade;
    if (!(TRUST_GRADES as readonly string[]).includes(trustGrade)) row.problem('trustGrade', choiceProblem(C.trustGrade.header, gradeText, TRUST_GRADES));
    if (code && method) list.push({ code, name, issuer, legalBasis, method, methodNote, methodDetail, circumstance, subject, validityMonths: validity ?? null, trustGrade });
  }
  if (sheet.complete && sheet.rows.length === 0) problems.add(SHEETS.certificates, 2, '', emptySheet(SHEETS.certificates));
  return { list, codes: sheet.complete ? new Set(seen.keys()) : null };
}

/** 适用情形 + 适用回答: both or neither; the code must be on the 适用情形 sheet. */
function readCondition(row: SheetRow<CertKey>, circumstanceCodes: ReadonlySet<string> | null): CatalogCertificate['circumstance'] {
  const C = CERTIFICATE_COLUMNS;
  const code = row.text('circumstance');
  const answerText = row.text('appliesWhen');
  if (!code) {
    if (answerText) row.problem('appliesWhen', `填写了“${C.appliesWhen.header}”时，“${C.circumstance.header}”不能为空`);
    return null;
  }
  if (circumstanceCodes && !circumstanceCodes.has(code)) {
    row.problem('circumstance', `${C.circumstance.header}“${code}”不在“${SHEETS.circumstances}”工作表中`);
  }
  const answer = yesNo(answerText);
  if (!answerText) row.problem('appliesWhen', `填写了“${C.circumstance.header}”时，“${C.appliesWhen.header}”不能为空（是 或 否）`);
  else if (answer === null) row.problem('appliesWhen', choiceProblem(C.appliesWhen.header, answerText, YES_NO));
  return answer === null ? null : { code, appliesWhen: answer };
}

function emptySheet(name: string): string {
  return `工作表“${name}”中没有数据（第1行为表头，数据从第2行开始）`;
}

/** The method-specific columns, as the method_detail JSON the desk uses (keys as in the demo catalog). */
function readMethodDetail(row: SheetRow<CertKey>, method: CertificateMethod, label: string): Record<string, unknown> {
  const C = CERTIFICATE_COLUMNS;
  const when = `处理方式为“${label}”时`;
  switch (method) {
    case 'commitment': {
      const noticeText = row.required('noticeText', when);
      // 国办发〔2020〕42号: the notice states every required part; each missing one is named.
      if (noticeText) {
        for (const part of missingNoticeParts(noticeText)) {
          row.problem('noticeText', `告知内容缺少“${part.label}”（${COMMITMENT_BASIS}要求告知书载明；${part.hint}）`);
        }
      }
      return {
        templateVersion: row.text('templateVersion') || 'v1',
        noticeText,
        commitmentText: row.required('commitmentText', when),
        verification: readVerificationPlan(row, when),
      };
    }
    case 'data_sharing':
      return {
        source: row.required('shareSource', when),
        dataset: row.required('shareDataset', when),
        query: row.text('shareQuery'),
      };
    case 'dept_verification': {
      const verifyingDepartment = row.required('verifyingDepartment', when);
      const timeLimitDays = days(row, 'verifyDays', C.verifyDays.header, when);
      const typed = row.text('verifyMode');
      if (typed && !(VERIFY_MODES as readonly string[]).includes(typed)) row.problem('verifyMode', choiceProblem(C.verifyMode.header, typed, VERIFY_MODES));
      const mode = typed || (label.replace(/\s+/g, '') === '代办' ? '帮办代办' : '部门协查');
      return { verifyingDepartment, timeLimitDays, mode };
    }
    case 'cancelled':
      return { cancelledBy: row.required('cancelledBy', when), reason: row.required('cancelReason', when) };
    case 'retained':
      return { reason: row.required('retainReason', when) };
  }
}

/** 事中事后核查: method, time limit and sampling ratio; an exempt item has neither limit nor sampling. */
function readVerificationPlan(row: SheetRow<CertKey>, when: string) {
  const C = CERTIFICATE_COLUMNS;
  const method = row.required('verificationMethod', when);
  if (method && !(VERIFICATION_METHODS as readonly string[]).includes(method)) {
    row.problem('verificationMethod', choiceProblem(C.verificationMethod.header, method, VERIFICATION_METHODS));
  }
  if (method === EXEMPT_VERIFICATION) {
    const exemptWhen = `核查方式为“${EXEMPT_VERIFICATION}”时`;
    const timeLimitDays = row.text('verificationDays') ? days(row, 'verificationDays', C.verificationDays.header) : 0;
    if (timeLimitDays !== 0) row.problem('verificationDays', `${exemptWhen}，“${C.verificationDays.header}”应为空或0`);
    const samplingRatio = row.text('samplingRatio') ? percent(row) : 0;
    if (samplingRatio !== 0) row.problem('samplingRatio', `${exemptWhen}，“${C.samplingRatio.header}”应为空或0%`);
    return { method, timeLimitDays: 0, samplingRatio: 0 };
  }
  const timeLimitDays = days(row, 'verificationDays', C.verificationDays.header, when);
  const samplingRatio = row.required('samplingRatio', when) ? percent(row) : 0;
  return { method, timeLimitDays, samplingRatio };
}

function percent(row: SheetRow<CertKey>): number {
  const cell = row.cell('samplingRatio');
  if (!cell) return 0;
  const read = readPercent(cell, CERTIFICATE_COLUMNS.samplingRatio.header);
  if ('problem' in read) {
    row.problem('samplingRatio', read.problem);
    return 0;
  }
  return read.value;
}

// ----------------------------------------------------------- service items

function readServiceItems(ws: ExcelJS.Worksheet, problems: ProblemList, certificateCodes: ReadonlySet<string> | null, certificates: readonly CatalogCertificate[] | null) {
  const certByCode = new Map((certificates ?? []).map((c) => [c.code, c]));
  const C = SERVICE_ITEM_COLUMNS;
  const sheet = readSheet(ws, SHEETS.serviceItems, C, problems);
  const seen = new Map<string, number>();
  const list: CatalogServiceItem[] = [];
  for (const row of sheet.rows) {
    const code = readCode(row, 'code', C.code.header, seen, implementationCodeProblem, (c) => c.toUpperCase());
    const name = row.required('name');
    const department = row.required('department');
    const kindText = row.required('kind');
    const kind = (SERVICE_ITEM_KINDS as readonly string[]).includes(kindText) ? (kindText as ServiceItemKind) : null;
    if (kindText && !kind) row.problem('kind', choiceProblem(C.kind.header, kindText, SERVICE_ITEM_KINDS));
    const timeLimitDays = days(row, 'timeLimitDays', C.timeLimitDays.header);
    const certificates = readCodeList(row, 'certificates', C.certificates.header, certificateCodes, SHEETS.certificates);
    const materials = readMaterials(row);
    const guide = { basis: row.text('basis'), conditions: row.text('conditions'), location: row.text('location'), phone: row.text('phone') };
    const riskClass = readRiskClass(row, name, certificates, certByCode);
    const produces = readCodeList(row, 'produces', C.produces.header, certificateCodes, SHEETS.certificates);
    if (code && kind) list.push({ code, name, department, kind, timeLimitDays, certificates, materials, guide, riskClass, produces });
  }
  if (sheet.complete && sheet.rows.length === 0) problems.add(SHEETS.serviceItems, 2, '', emptySheet(SHEETS.serviceItems));
  return { list, codes: sheet.complete ? new Set(seen.keys()) : null };
}

/** 风险类别: an item bearing on public safety, health and life … may list no certificate under 告知承诺 (国办发〔2020〕42号). */
function readRiskClass(row: SheetRow<ItemKey>, itemName: string, certificateCodes: string[], certByCode: ReadonlyMap<string, CatalogCertificate>): RiskClass {
  const C = SERVICE_ITEM_COLUMNS;
  const text = row.text('riskClass');
  if (text && !(RISK_CLASSES as readonly string[]).includes(text)) {
    row.problem('riskClass', choiceProblem(C.riskClass.header, text, RISK_CLASSES));
    return DEFAULT_RISK_CLASS;
  }
  const risk = (text || DEFAULT_RISK_CLASS) as RiskClass;
  if (!commitmentAllowed(risk)) {
    for (const code of certificateCodes) {
      const cert = certByCode.get(code);
      if (cert?.method === 'commitment') {
        row.problem(
          'riskClass',
          `事项“${itemName}”风险类别为“${risk}”，依${COMMITMENT_BASIS}不适用告知承诺，但所需证明“${cert.name}”（${code}）的处理方式为“${METHOD_LABELS.commitment}”；请改为其他处理方式或更正风险类别`,
        );
      }
    }
  }
  return risk;
}

function readMaterials(row: SheetRow<ItemKey>): string[] {
  const names = splitMaterialNames(row.text('materials'));
  for (const n of names) if (n.length > 200) row.problem('materials', `其他材料“${n.slice(0, 20)}…”超过 200 字`);
  return names;
}

// ----------------------------------------------------------------- bundles

function readBundles(ws: ExcelJS.Worksheet, problems: ProblemList, itemCodes: ReadonlySet<string> | null) {
  const C = BUNDLE_COLUMNS;
  const sheet = readSheet(ws, SHEETS.bundles, C, problems);
  const seen = new Map<string, number>();
  const list: CatalogBundle[] = [];
  for (const row of sheet.rows) {
    const code = readCode(row, 'code', C.code.header, seen, (c) => listCodeProblem(C.code.header, c));
    const name = row.required('name');
    row.required('items');
    const items = readCodeList(row, 'items', C.items.header, itemCodes, SHEETS.serviceItems, (c) => c.toUpperCase());
    if (code) list.push({ code, name, items });
  }
  return { list };
}

// ----------------------------------------------------------- circumstances

function readCircumstances(ws: ExcelJS.Worksheet, problems: ProblemList) {
  const C = CIRCUMSTANCE_COLUMNS;
  const sheet = readSheet(ws, SHEETS.circumstances, C, problems);
  const seen = new Map<string, number>();
  const list: CatalogCircumstance[] = [];
  for (const row of sheet.rows) {
    const code = readCode(row, 'code', C.code.header, seen, (c) => listCodeProblem(C.code.header, c));
    const question = row.required('question');
    const answerText = row.required('defaultAnswer');
    const defaultAnswer = yesNo(answerText);
    if (answerText && defaultAnswer === null) row.problem('defaultAnswer', choiceProblem(C.defaultAnswer.header, answerText, YES_NO));
    if (code && question && defaultAnswer !== null) list.push({ code, question, defaultAnswer });
  }
  return { list, codes: sheet.complete ? new Set(seen.keys()) : null };
}

// ----------------------------------------------------------------- version

function readVersionInfo(ws: ExcelJS.Worksheet, problems: ProblemList): CatalogVersionInfo {
  const sheet = readSheet(ws, SHEETS.version, VERSION_COLUMNS, problems);
  const row = sheet.rows[0];
  if (!row) return { label: null, effectiveFrom: null, note: '', row: null };
  let effectiveFrom: string | null = null;
  const cell = row.cell('effectiveFrom');
  if (cell && row.text('effectiveFrom')) {
    const read = readDate(cell, VERSION_COLUMNS.effectiveFrom.header);
    if ('problem' in read) row.problem('effectiveFrom', read.problem);
    else effectiveFrom = read.value;
  }
  return { label: row.text('label') || null, effectiveFrom, note: row.text('note'), row: row.number };
}
