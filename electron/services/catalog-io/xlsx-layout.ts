/**
 * The workbook layout of a published catalog (证明事项清单), shared by the
 * parser and the writer. docs/catalog-xlsx.md describes it for people.
 *
 * Each sheet has its header in row 1 and one record per row below it.
 * Columns are found by their header text, so their order does not matter and
 * extra columns (序号, 备注 …) are ignored.
 */
import { METHOD_LABELS, RISK_CLASSES, SERVICE_ITEM_KINDS, type CertificateMethod } from '../../../shared/domain/catalog';

export const SHEETS = {
  certificates: '证明事项清单',
  serviceItems: '政务服务事项',
  bundles: '一件事',
  version: '版本说明',
  circumstances: '适用情形',
} as const;

export interface ColumnDef {
  header: string;
  /** Column width in Excel character units. */
  width: number;
  /** The column may be left out of the sheet altogether. */
  optional?: boolean;
  /** Long text: wrapped and top-aligned. */
  wrap?: boolean;
  /** Kept as text so Excel never turns a long code into a number. */
  text?: boolean;
  /** Longest accepted text, in characters (2,000 unless said). */
  max?: number;
  /** Shown as a note on the header cell of an exported workbook. */
  hint?: string;
}

export type Columns = Record<string, ColumnDef>;

export const CERTIFICATE_COLUMNS = {
  code: { header: '证明编码', width: 18, text: true, max: 64, hint: '本清单内唯一，如 ZM-420325-0001' },
  name: { header: '证明名称', width: 26, wrap: true, max: 200 },
  issuer: { header: '开具单位', width: 24, wrap: true, max: 200 },
  legalBasis: { header: '设定依据', width: 36, wrap: true },
  method: { header: '处理方式', width: 15, hint: '直接取消、告知承诺、数据共享、部门核验/代办、保留（也可写“部门核验”或“代办”）' },
  methodNote: { header: '窗口做法', width: 36, wrap: true, optional: true },
  templateVersion: { header: '告知承诺书版本', width: 12, optional: true, max: 32, hint: '告知承诺：格式文本的版本号，留空为 v1' },
  noticeText: { header: '告知内容', width: 50, wrap: true, max: 10_000, hint: '告知承诺时必填' },
  commitmentText: { header: '承诺内容', width: 50, wrap: true, max: 10_000, hint: '告知承诺时必填' },
  verificationMethod: { header: '核查方式', width: 12, hint: '告知承诺时必填：书面核查、网络核验、实地调查、公示核查、免于核查' },
  verificationDays: { header: '核查时限（工作日）', width: 12, hint: '告知承诺时必填（免于核查除外），0 到 365 的整数' },
  samplingRatio: { header: '抽查比例', width: 10, hint: '告知承诺时必填（免于核查除外），0% 到 100%' },
  shareSource: { header: '共享来源', width: 26, wrap: true, hint: '数据共享时必填' },
  shareDataset: { header: '共享数据项', width: 22, wrap: true, hint: '数据共享时必填' },
  shareQuery: { header: '查询方式', width: 30, wrap: true, optional: true },
  verifyingDepartment: { header: '核验部门', width: 22, wrap: true, hint: '部门核验/代办时必填' },
  verifyDays: { header: '核验时限（工作日）', width: 12, hint: '部门核验/代办时必填，0 到 365 的整数' },
  verifyMode: { header: '核验方式', width: 12, optional: true, hint: '部门协查或帮办代办；留空时“代办”为帮办代办，其余为部门协查' },
  cancelledBy: { header: '取消依据', width: 24, wrap: true, hint: '直接取消时必填' },
  cancelReason: { header: '取消理由', width: 22, wrap: true, hint: '直接取消时必填' },
  retainReason: { header: '保留理由', width: 36, wrap: true, hint: '保留时必填' },
  circumstance: { header: '适用情形', width: 16, optional: true, text: true, max: 64, hint: '“适用情形”表中的情形编码；留空为所有情形均需' },
  appliesWhen: { header: '适用回答', width: 10, optional: true, hint: '填写了适用情形时必填：是 或 否（该问题回答为此值时才需要本证明）' },
  subject: { header: '证明对象', width: 12, optional: true, max: 20, hint: '申请人本人、子女、配偶、父母、法定代表人、从业人员；留空为申请人本人' },
  validity: { header: '有效期', width: 10, optional: true, hint: '材料可复用的期限，如“12个月”“6”；留空或“长期”为长期有效' },
  trustGrade: { header: '信任等级', width: 10, optional: true, hint: 'A、B、C、D（国办函〔2016〕108号）；留空为 B（经与原件核对）' },
} as const satisfies Columns;

export const SERVICE_ITEM_COLUMNS = {
  code: { header: '实施编码', width: 34, text: true, max: 64, hint: '31位：实施部门统一社会信用代码18位 + 13位数字' },
  name: { header: '事项名称', width: 30, wrap: true, max: 200 },
  department: { header: '实施部门', width: 20, max: 200 },
  kind: { header: '事项类型', width: 14, hint: SERVICE_ITEM_KINDS.join('、') },
  timeLimitDays: { header: '承诺时限（工作日）', width: 12, hint: '0 到 365 的整数，0 或“即办”为即办件' },
  certificates: { header: '所需证明', width: 36, wrap: true, max: 10_000, hint: '证明编码，用“、”“,”或“;”分隔' },
  materials: { header: '其他材料', width: 30, wrap: true, optional: true, hint: '材料名称，每行一项（或用“、”分隔）' },
  basis: { header: '办理依据', width: 30, wrap: true, optional: true },
  conditions: { header: '受理条件', width: 30, wrap: true, optional: true },
  location: { header: '办理地点', width: 24, wrap: true, optional: true },
  phone: { header: '咨询电话', width: 16, optional: true, text: true, max: 100 },
  riskClass: { header: '风险类别', width: 14, optional: true, hint: `${RISK_CLASSES.join('、')}；留空为一般。一般以外的事项不适用告知承诺（国办发〔2020〕42号）` },
  produces: { header: '产生证明', width: 20, optional: true, max: 10_000, hint: '办理本事项产生的证明（证明编码）；同一办件中排在其后的事项不再要求提交' },
} as const satisfies Columns;

export const BUNDLE_COLUMNS = {
  code: { header: '联办编码', width: 18, text: true, max: 64 },
  name: { header: '联办名称', width: 26, max: 200 },
  items: { header: '包含事项', width: 70, wrap: true, max: 10_000, hint: '实施编码，按办理顺序用“、”分隔' },
} as const satisfies Columns;

export const CIRCUMSTANCE_COLUMNS = {
  code: { header: '情形编码', width: 16, text: true, max: 64, hint: '本清单内唯一，如 QX-本人申请' },
  question: { header: '询问内容', width: 36, max: 200, hint: '窗口每件询问一次的是否问题，如“是否本人申请”' },
  defaultAnswer: { header: '默认回答', width: 10, hint: '是 或 否：多数办件的情形' },
} as const satisfies Columns;

export const YES_NO = ['是', '否'] as const;

/** Reads 是/否 (also Y/N, true/false); null when it is neither. */
export function yesNo(text: string): boolean | null {
  const t = text.replace(/\s+/g, '').toLowerCase();
  if (['是', 'y', 'yes', 'true', '1'].includes(t)) return true;
  if (['否', 'n', 'no', 'false', '0'].includes(t)) return false;
  return null;
}

export const LONG_TERM = '长期';

/** Reads 有效期: '' or 长期 → null (no expiry); '12个月', '12月', '12', '1年' → months; undefined when unreadable. */
export function validityMonths(text: string): number | null | undefined {
  const t = text.replace(/\s+/g, '');
  if (t === '' || t === LONG_TERM) return null;
  const months = /^(\d{1,3})(个月|月)?$/.exec(t);
  if (months) return Number(months[1]) > 0 && Number(months[1]) <= 600 ? Number(months[1]) : undefined;
  const years = /^(\d{1,2})年$/.exec(t);
  if (years) return Number(years[1]) > 0 ? Number(years[1]) * 12 : undefined;
  return undefined;
}

export function validityText(months: number | null): string {
  return months === null ? LONG_TERM : `${months}个月`;
}

export const VERSION_COLUMNS = {
  label: { header: '版本名称', width: 36, max: 100 },
  effectiveFrom: { header: '生效日期', width: 14, text: true, hint: 'yyyy-mm-dd，新办件自该日起按本版本办理' },
  note: { header: '说明', width: 60, wrap: true, optional: true },
} as const satisfies Columns;

/** The five labels offered in the 处理方式 drop-down, in the catalog's order. */
export const METHOD_CHOICES: readonly string[] = Object.values(METHOD_LABELS);

const METHOD_BY_LABEL: Record<string, CertificateMethod> = {
  直接取消: 'cancelled',
  告知承诺: 'commitment',
  数据共享: 'data_sharing',
  部门核验: 'dept_verification',
  代办: 'dept_verification',
  '部门核验/代办': 'dept_verification',
  保留: 'retained',
};

/** Reads a 处理方式 cell; full-width slashes and spaces are forgiven. */
export function methodFromLabel(label: string): CertificateMethod | null {
  const key = label.replace(/\s+/g, '').replace(/／/g, '/');
  return Object.prototype.hasOwnProperty.call(METHOD_BY_LABEL, key) ? METHOD_BY_LABEL[key]! : null;
}

export const VERIFICATION_METHODS = ['书面核查', '网络核验', '实地调查', '公示核查', '免于核查'] as const;
export const EXEMPT_VERIFICATION = '免于核查';
export const VERIFY_MODES = ['部门协查', '帮办代办'] as const;

/** Separators between codes in one cell (所需证明, 包含事项). */
export const CODE_LIST_SEPARATORS = /[、,，;；\s]+/;
export const LIST_JOINER = '、';

/**
 * Material names (其他材料): one per line, or on one line separated by 、.
 * Names may contain commas, and with line breaks also 、 (an export writes one per line).
 */
export function splitMaterialNames(text: string): string[] {
  const parts = /\n/.test(text) ? text.split(/\n+/) : text.split('、');
  return parts.map((n) => n.trim()).filter(Boolean);
}
export const MATERIAL_JOINER = '\n';

/** Header text as compared: no spaces or line breaks, half-width brackets as full-width. */
export function normalizeHeader(text: string): string {
  return text.replace(/\s+/g, '').replace(/\(/g, '（').replace(/\)/g, '）');
}
