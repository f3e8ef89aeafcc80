/**
 * A catalog version → an .xlsx workbook in the layout the parser reads:
 * bold, frozen header row with a note per column, sensible widths, wrapped
 * long text, codes kept as text, and drop-downs for the fixed choices.
 */
import ExcelJS from 'exceljs';
import { APPLICANT_SELF, CERTIFICATE_SUBJECTS, METHOD_LABELS, RISK_CLASSES, SERVICE_ITEM_KINDS, TRUST_GRADES } from '../../../shared/domain/catalog';
import type { CatalogBundle, CatalogCertificate, CatalogCircumstance, CatalogData, CatalogServiceItem } from './catalog-model';
import {
  BUNDLE_COLUMNS,
  CERTIFICATE_COLUMNS,
  CIRCUMSTANCE_COLUMNS,
  LIST_JOINER,
  MATERIAL_JOINER,
  METHOD_CHOICES,
  SERVICE_ITEM_COLUMNS,
  SHEETS,
  VERIFICATION_METHODS,
  VERIFY_MODES,
  validityText,
  VERSION_COLUMNS,
  YES_NO,
  type Columns,
} from './xlsx-layout';

type CellValue = string | number | null;
type RowValues<C extends Columns> = Partial<Record<keyof C & string, CellValue>>;

interface SheetSpec<C extends Columns> {
  name: string;
  columns: C;
  rows: RowValues<C>[];
  /** Columns offered as a drop-down list of choices. */
  choices?: Partial<Record<keyof C & string, readonly string[]>>;
  /** Columns kept in view when scrolling right. */
  frozenColumns?: number;
}

/** Drop-downs reach this far below the data, so rows added by hand get them too. */
const SPARE_ROWS = 300;

export async function writeCatalogXlsx(catalog: CatalogData): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = '无证明办理工作台';
  addSheet(workbook, {
    name: SHEETS.certificates,
    columns: CERTIFICATE_COLUMNS,
    rows: catalog.certificates.map(certificateRow),
    choices: {
      method: METHOD_CHOICES,
      verificationMethod: VERIFICATION_METHODS,
      verifyMode: VERIFY_MODES,
      appliesWhen: YES_NO,
      subject: CERTIFICATE_SUBJECTS,
      trustGrade: TRUST_GRADES,
    },
    frozenColumns: 2,
  });
  addSheet(workbook, {
    name: SHEETS.serviceItems,
    columns: SERVICE_ITEM_COLUMNS,
    rows: catalog.serviceItems.map(serviceItemRow),
    choices: { kind: SERVICE_ITEM_KINDS, riskClass: RISK_CLASSES },
    frozenColumns: 2,
  });
  addSheet(workbook, { name: SHEETS.bundles, columns: BUNDLE_COLUMNS, rows: catalog.bundles.map(bundleRow) });
  addSheet(workbook, {
    name: SHEETS.circumstances,
    columns: CIRCUMSTANCE_COLUMNS,
    rows: catalog.circumstances.map(circumstanceRow),
    choices: { defaultAnswer: YES_NO },
  });
  addSheet(workbook, {
    name: SHEETS.version,
    columns: VERSION_COLUMNS,
    rows: [{ label: catalog.version.label, effectiveFrom: catalog.version.effectiveFrom, note: catalog.version.note }],
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

function addSheet<C extends Columns>(workbook: ExcelJS.Workbook, spec: SheetSpec<C>): void {
  const defs = Object.entries(spec.columns);
  const ws = workbook.addWorksheet(spec.name, {
    views: [{ state: 'frozen', ySplit: 1, xSplit: spec.frozenColumns ?? 0 }],
  });
  ws.columns = defs.map(([key, def]) => ({
    key,
    header: def.header,
    width: def.width,
    style: {
      ...(def.text ? { numFmt: '@' } : {}),
      alignment: { vertical: 'top', wrapText: def.wrap ?? false },
    },
  }));

  const header = ws.getRow(1);
  header.height = 30;
  defs.forEach(([, def], i) => {
    const cell = header.getCell(i + 1);
    cell.font = { bold: true };
    cell.alignment = { vertical: 'middle', horizontal: 'center', wrapText: true };
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8EEF7' } };
    if (def.hint) cell.note = def.hint;
  });
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: defs.length } };

  for (const record of spec.rows) {
    const row = ws.addRow(record);
    if (spec.columns.samplingRatio && typeof record['samplingRatio' as keyof C & string] === 'number') {
      const cell = row.getCell('samplingRatio');
      cell.numFmt = Number.isInteger(Math.round((cell.value as number) * 1e6) / 1e4) ? '0%' : '0.0#%';
    }
  }

  const lastRow = spec.rows.length + 1 + SPARE_ROWS;
  for (const [key, choices] of Object.entries(spec.choices ?? {}) as [string, readonly string[]][]) {
    const letter = ws.getColumn(key).letter;
    rangeValidations(ws).add(`${letter}2:${letter}${lastRow}`, {
      type: 'list',
      allowBlank: true,
      formulae: [`"${choices.join(',')}"`],
      showErrorMessage: true,
      // A warning, not a stop: the parser also accepts 部门核验 or 代办 typed by hand.
      errorStyle: 'warning',
      errorTitle: spec.columns[key]!.header,
      error: `建议从下拉列表中选择：${choices.join('、')}`,
    });
  }
}

/**
 * exceljs keeps a sheet's validations by address and accepts a whole range
 * as one (untyped in its .d.ts). Per-cell validations would be merged into
 * overlapping ranges (E10:E334 and E2:E334), which Excel reports as damage.
 */
function rangeValidations(ws: ExcelJS.Worksheet): { add(range: string, validation: ExcelJS.DataValidation): void } {
  return (ws as unknown as { dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void } }).dataValidations;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const number = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const object = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** The columns of one certificate: the common ones plus those of its method (keys as in the demo catalog). */
function certificateRow(c: CatalogCertificate): RowValues<typeof CERTIFICATE_COLUMNS> {
  const common = {
    code: c.code,
    name: c.name,
    issuer: c.issuer,
    legalBasis: c.legalBasis,
    method: METHOD_LABELS[c.method],
    methodNote: c.methodNote,
    circumstance: c.circumstance?.code ?? '',
    appliesWhen: c.circumstance ? yesNoText(c.circumstance.appliesWhen) : '',
    subject: c.subject === APPLICANT_SELF ? '' : c.subject,
    validity: validityText(c.validityMonths),
    trustGrade: c.trustGrade,
  };
  const d = c.methodDetail;
  switch (c.method) {
    case 'commitment': {
      const plan = object(d.verification);
      return {
        ...common,
        templateVersion: text(d.templateVersion),
        noticeText: text(d.noticeText),
        commitmentText: text(d.commitmentText),
        verificationMethod: text(plan.method),
        verificationDays: number(plan.timeLimitDays),
        samplingRatio: number(plan.samplingRatio),
      };
    }
    case 'data_sharing':
      return { ...common, shareSource: text(d.source), shareDataset: text(d.dataset), shareQuery: text(d.query) };
    case 'dept_verification':
      return { ...common, verifyingDepartment: text(d.verifyingDepartment), verifyDays: number(d.timeLimitDays), verifyMode: text(d.mode) };
    case 'cancelled':
      return { ...common, cancelledBy: text(d.cancelledBy), cancelReason: text(d.reason) };
    case 'retained':
      return { ...common, retainReason: text(d.reason) };
  }
}

function serviceItemRow(s: CatalogServiceItem): RowValues<typeof SERVICE_ITEM_COLUMNS> {
  return {
    code: s.code,
    name: s.name,
    department: s.department,
    kind: s.kind,
    timeLimitDays: s.timeLimitDays,
    certificates: s.certificates.join(LIST_JOINER),
    materials: s.materials.join(MATERIAL_JOINER),
    basis: s.guide.basis,
    conditions: s.guide.conditions,
    location: s.guide.location,
    phone: s.guide.phone,
    riskClass: s.riskClass,
    produces: s.produces.join(LIST_JOINER),
  };
}

const yesNoText = (b: boolean) => (b ? '是' : '否');

function circumstanceRow(c: CatalogCircumstance): RowValues<typeof CIRCUMSTANCE_COLUMNS> {
  return { code: c.code, question: c.question, defaultAnswer: yesNoText(c.defaultAnswer) };
}

function bundleRow(b: CatalogBundle): RowValues<typeof BUNDLE_COLUMNS> {
  return { code: b.code, name: b.name, items: b.items.join(LIST_JOINER) };
}
