/**
 * The workbook layout of a published catalog (证明事项清单), shared by the
 * parser and the writer. docs/catalog-xlsx.md describes it for people.
 *
 * Each sheet has its header in row 1 and one record per row below it.
 * Columns are found by their header text, so their order does not matter and
 * extra columns (序号, 备注 …) are ignored.
 */
import { METHOD_LABELS, SERVICE_ITEM_KINDS, type CertificateMethod } from '../../../shared/domain/catalog';

export const SHEETS = {
  certificates: '证明事项清单',
  serviceItems: '政务服务事项',
  bundles: '一件事',
  version: '版本说明',
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
} as const satisfies Columns;

export const BUNDLE_COLUMNS = {
  code: { header: '联办编码', width: 18, text: true, max: 64 },
  name: { header: '联办名称', width: 26, max: 200 },
  items: { header: '包含事项', width: 70, wrap: true, max: 10_000, hint: '实施编码，按办理顺序用“、”分隔' },
} as const satisfies Columns;

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
