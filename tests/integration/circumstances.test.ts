/**
 * The reform's rules for certificates (issue 13): 适用情形 answered once per case (不涉及 recorded with
 * its answer and audited), 由本件产生 inside a bundle, the notice's required contents and the
 * 国办发〔2020〕42号 exclusion checked at catalog import, the validity of a material for reuse, and
 * data-sharing queries about the certificate's subject (the child's own record).
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { openTestStore } from '../helpers/store';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDesk, type TestDesk } from '../helpers/app';
import { ROOT } from '../helpers/temp';
import { signaturePng } from '../helpers/png';
import { startDataSharingPlatform, type RunningPlatform } from '../../sim/data-sharing-platform';
import { readCatalogVersion } from '../../electron/services/catalog-io/catalog-version-rows';
import type { CaseView } from '../../shared/ipc/methods/intake';

let platform: RunningPlatform;
beforeAll(async () => {
  platform = await startDataSharingPlatform();
});
afterAll(async () => {
  await platform.close();
});

const PNG = signaturePng().toString('base64');
const POPPLER = spawnSync('pdftotext', ['-v']).error === undefined;
const NO_POPPLER = 'pdftotext (poppler-utils) not installed: apt-get install -y poppler-utils';
/** The workbook docs/examples held before circumstances, subjects and validity were added. */
const OLD_EXAMPLE = path.join(ROOT, 'tests', 'fixtures', 'catalog', 'catalog-example-before-circumstances.xlsx');

function clock(start: string) {
  let now = new Date(start);
  return { now: () => now, set: (iso: string) => (now = new Date(iso)) };
}

async function deskAt(now: () => Date): Promise<{ d: TestDesk; admin: string; clerk: string }> {
  const d = await testDesk({ now, dataSharing: platform.url, dataSharingRetryMs: 0 });
  return { d, admin: (await d.signIn('admin')).token, clerk: (await d.signIn('zhangmin')).token };
}

function dbOf(d: TestDesk) {
  return openTestStore(d.app.dbFile, { readonly: true });
}

function counts(d: TestDesk): { versions: number; certificates: number; audit: number } {
  const db = dbOf(d);
  try {
    const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return {
      versions: one('SELECT COUNT(*) AS n FROM catalog_versions'),
      certificates: one('SELECT COUNT(*) AS n FROM certificate_items'),
      audit: one('SELECT COUNT(*) AS n FROM audit_log'),
    };
  } finally {
    db.close();
  }
}

async function exportedWorkbook(d: TestDesk, token: string): Promise<ExcelJS.Workbook> {
  const { base64 } = await d.call('catalog.exportXlsx', {}, token);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(base64, 'base64') as unknown as ExcelJS.Buffer);
  return wb;
}

/** The cell under a header, in the row whose first column holds `code`. */
function cellOf(ws: ExcelJS.Worksheet, code: string, header: string): ExcelJS.Cell {
  let col = 0;
  ws.getRow(1).eachCell((c, i) => {
    if (c.value === header) col = i;
  });
  let row = 0;
  ws.eachRow((r, i) => {
    if (r.getCell(1).value === code) row = i;
  });
  if (!col || !row) throw new Error(`no cell ${code} / ${header}`);
  return ws.getCell(row, col);
}

async function importWorkbook(d: TestDesk, token: string, wb: ExcelJS.Workbook, fileName: string, effectiveFrom = '2026-11-01') {
  const base64 = Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
  return d.call('catalog.importXlsx', { fileName, base64, effectiveFrom }, token);
}

const cert = (v: CaseView, name: string) => {
  const c = v.certificates.find((x) => x.name === name);
  if (!c) throw new Error(`no certificate ${name} in ${v.certificates.map((x) => x.name).join(',')}`);
  return c;
};

async function applicantId(d: TestDesk, token: string, name: string): Promise<number> {
  return (await d.call('applicants.list', { query: name, limit: 5 }, token)).find((a) => a.name === name)!.id;
}

async function newbornCase(d: TestDesk, token: string, circumstances?: Record<string, boolean>): Promise<CaseView> {
  const bundle = (await d.call('catalog.bundles', {}, token)).find((b) => b.name === '出生“一件事”')!;
  return d.call(
    'intake.start',
    { applicantId: await applicantId(d, token, '王芳'), serviceItemIds: bundle.items.map((i) => i.id), bundleCode: bundle.code, ...(circumstances ? { circumstances } : {}) },
    token,
  );
}

describe('catalog import: the notice and the 42号 exclusion', () => {
  it('refuses a notice without the liability clause, naming the missing part, and writes nothing', async () => {
    const c = clock('2026-11-22T09:00:00+08:00');
    const { d, admin } = await deskAt(c.now);
    const wb = await exportedWorkbook(d, admin);
    // 居住证明's notice without its last sentence (承诺不实的，将终止办理或撤销相关决定，记入信用记录，并依法追究法律责任。).
    const notice = cellOf(wb.getWorksheet('证明事项清单')!, 'ZM-420325-0014', '告知内容');
    const text = String(notice.value);
    notice.value = text.slice(0, text.indexOf('承诺不实的'));
    const before = counts(d);
    const result = await importWorkbook(d, admin, wb, '缺少法律责任.xlsx');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      {
        sheet: '证明事项清单',
        row: 15,
        column: '告知内容',
        message: '告知内容缺少“虚假承诺的法律责任”（国办发〔2020〕42号要求告知书载明；写明“承诺不实的……（撤销、信用记录、法律责任）”）',
      },
    ]);
    expect(counts(d)).toEqual(before);
  });

  it('refuses an item bearing on public safety with a certificate under commitment, naming item and certificate, and writes nothing', async () => {
    const c = clock('2026-11-22T09:00:00+08:00');
    const { d, admin } = await deskAt(c.now);
    const wb = await exportedWorkbook(d, admin);
    // 公众聚集场所…消防安全检查 lists 消防设施检测合格证明, which the demo handles by 告知承诺.
    cellOf(wb.getWorksheet('政务服务事项')!, '11420325MB1F73950U0100006001000', '风险类别').value = '公共安全';
    const before = counts(d);
    const result = await importWorkbook(d, admin, wb, '消防事项承诺.xlsx');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    // Both of its certificates under commitment are named: 经营场所使用证明 and 消防设施检测合格证明.
    expect(result.errors).toEqual([
      {
        sheet: '政务服务事项',
        row: 13,
        column: '风险类别',
        message:
          '事项“公众聚集场所投入使用、营业前消防安全检查”风险类别为“公共安全”，依国办发〔2020〕42号不适用告知承诺，但所需证明“经营场所使用证明”（ZM-420325-0013）的处理方式为“告知承诺”；请改为其他处理方式或更正风险类别',
      },
      {
        sheet: '政务服务事项',
        row: 13,
        column: '风险类别',
        message:
          '事项“公众聚集场所投入使用、营业前消防安全检查”风险类别为“公共安全”，依国办发〔2020〕42号不适用告知承诺，但所需证明“消防设施检测合格证明”（ZM-420325-0017）的处理方式为“告知承诺”；请改为其他处理方式或更正风险类别',
      },
    ]);
    expect(counts(d)).toEqual(before);
  });

  it('still imports the workbook from before circumstances, read as "applies always"', async () => {
    const c = clock('2026-11-22T09:00:00+08:00');
    const { d, admin, clerk } = await deskAt(c.now);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(OLD_EXAMPLE);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['证明事项清单', '政务服务事项', '一件事', '版本说明']); // no 适用情形 sheet
    const result = await d.call('catalog.importXlsx', { fileName: '旧版清单.xlsx', base64: fs.readFileSync(OLD_EXAMPLE).toString('base64'), effectiveFrom: '2026-11-01' }, admin);
    expect(result).toMatchObject({ ok: true, counts: { certificates: 33, serviceItems: 16, bundles: 2 } });
    if (!result.ok) return;
    const db = dbOf(d);
    try {
      const version = readCatalogVersion(db, result.versionId);
      expect(version.circumstances).toEqual([]);
      expect(new Set(version.certificates.map((x) => JSON.stringify([x.circumstance, x.subject, x.validityMonths, x.trustGrade])))).toEqual(
        new Set([JSON.stringify([null, '申请人本人', null, 'B'])]),
      );
      expect(new Set(version.serviceItems.map((i) => `${i.riskClass}/${i.produces.length}`))).toEqual(new Set(['一般/0']));
    } finally {
      db.close();
    }
    // Under that version the newborn case asks for everything, as before: nothing is 不涉及 or 由本件产生.
    const v = await newbornCase(d, clerk);
    expect(v.catalogVersion.id).toBe(result.versionId);
    expect(v.circumstances).toEqual([]);
    expect(cert(v, '授权委托书').state).toBe('pending');
    expect(cert(v, '出生医学证明').state).toBe('pending');
    expect(v.certificates.filter((x) => x.state === 'not_applicable' || x.state === 'produced')).toEqual([]);
  });
});

describe('intake: circumstances answered once per case', () => {
  it('records 不涉及 with the answer that led to it, audited and on the receipt; 由本件产生 is not demanded', async () => {
    const c = clock('2026-11-22T09:00:00+08:00');
    const { d, clerk } = await deskAt(c.now);
    let v = await newbornCase(d, clerk); // the common case: defaults (本人申请、院内分娩、县内户籍)
    expect(v.circumstances).toEqual([
      { code: 'QX-BRSQ', question: '是否本人申请', answer: '是' },
      { code: 'QX-YNFM', question: '是否院内分娩', answer: '是' },
      { code: 'QX-XNHJ', question: '父母是否均为县内户籍', answer: '是' },
    ]);
    expect(cert(v, '授权委托书')).toMatchObject({ state: 'not_applicable', stateText: '不涉及（是否本人申请：是）', notApplicable: { question: '是否本人申请', answer: '是' } });
    expect(cert(v, '亲子鉴定意见书（院外分娩）')).toMatchObject({ state: 'not_applicable', stateText: '不涉及（是否院内分娩：是）' });
    expect(cert(v, '父（母）户籍地户籍证明（县外户籍）')).toMatchObject({ state: 'not_applicable', stateText: '不涉及（父母是否均为县内户籍：是）' });
    expect(cert(v, '分娩住院记录（出院小结）').state).toBe('pending'); // applies when born in hospital
    expect(cert(v, '出生医学证明')).toMatchObject({
      state: 'produced',
      producedBy: '出生医学证明办理',
      stateText: '由本件产生（出生医学证明办理），无需提交',
      neededBy: ['预防接种证办理', '户口登记（出生申报户口）', '生育医疗费用报销', '儿童保健（托育指导）服务'],
    });
    for (const name of ['授权委托书', '亲子鉴定意见书（院外分娩）', '出生医学证明']) expect(v.blockers.join('；')).not.toContain(name);

    // Nothing can be asked or attached for them.
    const attach = await d.raw('intake.addMaterial', { caseId: v.id, certificateItemId: cert(v, '授权委托书').certificateItemId, title: 'x', pages: [{ mime: 'image/png', base64: PNG }] }, clerk);
    expect(attach.ok === false && attach.error.message).toBe('“授权委托书”本办件不涉及（是否本人申请：是），无需办理。');
    const produced = await d.raw('intake.addMaterial', { caseId: v.id, certificateItemId: cert(v, '出生医学证明').certificateItemId, title: 'x', pages: [{ mime: 'image/png', base64: PNG }] }, clerk);
    expect(produced.ok === false && produced.error.message).toBe('“出生医学证明”由本件“出生医学证明办理”产生，不得要求申请人提交。');

    // Audited with the answers.
    const db = dbOf(d);
    try {
      const entry = db.prepare(`SELECT detail FROM audit_log WHERE action = 'case.create' AND entity_id = ?`).get(String(v.id)) as { detail: string };
      const detail = JSON.parse(entry.detail) as { circumstances: Record<string, string>; notApplicable: unknown[]; produced: unknown[] };
      expect(detail.circumstances).toEqual({ 是否本人申请: '是', 是否院内分娩: '是', 父母是否均为县内户籍: '是' });
      // In the order the bundle's items first need them: 出生医学证明办理, 户口登记, 社会保障卡申领.
      expect(detail.notApplicable).toEqual([
        { certificate: 'ZM-420325-0004', question: '是否院内分娩', answer: '是' },
        { certificate: 'ZM-420325-0028', question: '父母是否均为县内户籍', answer: '是' },
        { certificate: 'ZM-420325-0003', question: '是否本人申请', answer: '是' },
      ]);
      expect(detail.produced).toEqual([{ certificate: 'ZM-420325-0001', producedBy: '出生医学证明办理' }]);
    } finally {
      db.close();
    }

    // The figures count only what the case demanded.
    expect(v.figures.total).toBe(v.certificates.length - 4);

    // The receipt lists them with the answer (its text: the worker renders v.certificates' stateText).
    v = await resolveAll(d, clerk, v);
    v = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, clerk);
    expect(v.status).toBe('accepted');
    const receipt = await d.call('intake.receiptPdf', { caseId: v.id }, clerk);
    const pdf = Buffer.from(receipt.base64, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    if (!POPPLER) {
      console.warn(`circumstances: receipt text not checked — ${NO_POPPLER}`);
      return;
    }
    const file = path.join(d.dataDir, 'receipt.pdf');
    fs.writeFileSync(file, pdf);
    const text = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).stdout.replace(/\s+/g, '');
    for (const line of ['授权委托书', '不涉及（是否本人申请：是）', '不涉及（是否院内分娩：是）', '不涉及（父母是否均为县内户籍：是）', '由本件产生（出生医学证明办理），无需提交']) {
      expect(text).toContain(line);
    }
  });

  it('with the answers flipped lists exactly the certificates those circumstances need', async () => {
    const c = clock('2026-11-22T09:00:00+08:00');
    const { d, clerk } = await deskAt(c.now);
    const v = await newbornCase(d, clerk, { 'QX-BRSQ': false, 'QX-YNFM': false, 'QX-XNHJ': false });
    expect(v.circumstances.map((a) => a.answer)).toEqual(['否', '否', '否']);
    for (const name of ['授权委托书', '亲子鉴定意见书（院外分娩）', '父（母）户籍地户籍证明（县外户籍）']) expect(cert(v, name).state).toBe('pending');
    expect(cert(v, '分娩住院记录（出院小结）')).toMatchObject({ state: 'not_applicable', stateText: '不涉及（是否院内分娩：否）' });
    expect(cert(v, '出生医学证明').state).toBe('produced'); // produced whatever the answers
  });

  it('refuses an answer to a question the catalog does not ask', async () => {
    const c = clock('2026-11-22T09:00:00+08:00');
    const { d, clerk } = await deskAt(c.now);
    const r = await d.raw('intake.start', { applicantId: await applicantId(d, clerk, '王芳'), serviceItemIds: [1], circumstances: { 'QX-NONE': true } }, clerk);
    expect(r.ok === false && r.error).toMatchObject({ code: 'BAD_INPUT', message: '适用情形不在当前生效的清单中，请刷新后重选。' });
  });
});

/** Resolves every demanded certificate of a newborn case the simplest way its method allows. */
async function resolveAll(d: TestDesk, token: string, start: CaseView): Promise<CaseView> {
  let v = start;
  for (const c of start.certificates) {
    if (c.state !== 'pending') continue;
    const ids = { caseId: v.id, certificateItemId: c.certificateItemId };
    if (c.method === 'data_sharing') {
      const subject = c.subject === '申请人本人' ? {} : { subject: { name: '李小宝', idNumber: '420325202611010011' } };
      v = await d.call('intake.queryDataSharing', { ...ids, ...subject }, token);
      if (cert(v, c.name).state === 'pending') v = await d.call('intake.switchToVerification', ids, token);
    } else if (c.method === 'dept_verification') {
      v = await d.call('intake.requestAssistance', ids, token);
    } else if (c.method === 'retained') {
      v = await d.call('intake.addMaterial', { ...ids, title: c.name, pages: [{ mime: 'image/png', base64: PNG }] }, token);
    } else if (c.method === 'commitment') {
      v = await d.call('intake.recordChoice', { ...ids, choice: 'commit' }, token);
      v = await d.call('intake.signCommitment', { ...ids, signatureKind: 'pad', signaturePngBase64: PNG }, token);
    }
  }
  expect(v.blockers).toEqual([]);
  return v;
}

describe('data sharing asks about the certificate subject', () => {
  it('a 预防接种 query carries the child identity, checked and kept masked', async () => {
    const c = clock('2026-11-22T09:00:00+08:00');
    const { d, clerk } = await deskAt(c.now);
    let v = await newbornCase(d, clerk);
    const vacc = cert(v, '预防接种记录证明');
    expect(vacc.subject).toBe('子女');
    const ids = { caseId: v.id, certificateItemId: vacc.certificateItemId };

    // Without the child: refused, nothing asked.
    const asked = platform.log().length;
    const missing = await d.raw('intake.queryDataSharing', ids, clerk);
    expect(missing.ok === false && missing.error).toMatchObject({ code: 'BAD_INPUT', message: '该证明的证明对象为“子女”，请先填写子女的姓名和身份证号码。' });
    // A wrong check digit: refused as the applicant form refuses it.
    const wrong = await d.raw('intake.queryDataSharing', { ...ids, subject: { name: '李小宝', idNumber: '420325202611010012' } }, clerk);
    expect(wrong.ok === false && wrong.error.code).toBe('BAD_INPUT');
    expect(wrong.ok === false && wrong.error.message).toContain('身份证号码校验位不正确');
    expect(platform.log().length).toBe(asked);

    v = await d.call('intake.queryDataSharing', { ...ids, subject: { name: '李小宝', idNumber: '420325202611010011' } }, clerk);
    const last = platform.log().at(-1)!;
    expect(last).toMatchObject({ dataset: '儿童预防接种信息', subject: { idType: 'resident_id', idNumber: '420325202611010011', name: '李小宝' } });
    expect(cert(v, '预防接种记录证明')).toMatchObject({ state: 'satisfied', subjectPerson: { name: '李小宝', idNumberMasked: '420***********0011' } });
    expect(cert(v, '预防接种记录证明').query?.summary).toContain('李小宝');

    // The applicant's own certificates are still asked about the applicant.
    v = await d.call('intake.queryDataSharing', { caseId: v.id, certificateItemId: cert(v, '户籍证明').certificateItemId }, clerk);
    expect(platform.log().at(-1)!.subject).toEqual({ idType: 'resident_id', idNumber: '42032519880623004X', name: '王芳' });

    // Stored and audited masked; the full number only in case_subjects.
    const db = dbOf(d);
    try {
      const q = db.prepare('SELECT request FROM data_queries WHERE case_id = ? AND certificate_item_id = ?').get(v.id, vacc.certificateItemId) as { request: string };
      expect((JSON.parse(q.request) as { subject: unknown }).subject).toEqual({ idType: 'resident_id', idNumber: '420***********0011', name: '李小宝' });
      const a = db.prepare(`SELECT detail FROM audit_log WHERE action = 'case.subject'`).get() as { detail: string };
      expect(JSON.parse(a.detail)).toEqual({ role: '子女', name: '李小宝', idNumber: '420***********0011', certificate: 'ZM-420325-0027' });
    } finally {
      db.close();
    }
  });
});

describe('material reuse respects the certificate validity', () => {
  /** A workbook of one item needing a 健康证明 kept for 12 months and an 营业执照 kept as an A-grade electronic licence. */
  async function validityWorkbook(): Promise<ExcelJS.Workbook> {
    const wb = new ExcelJS.Workbook();
    const certs = wb.addWorksheet('证明事项清单');
    const headers = ['证明编码', '证明名称', '开具单位', '设定依据', '处理方式', '保留理由', '有效期', '信任等级', '证明对象'];
    // Every method's columns must be present even when no row uses them.
    const others = ['告知内容', '承诺内容', '核查方式', '核查时限（工作日）', '抽查比例', '共享来源', '共享数据项', '核验部门', '核验时限（工作日）', '取消依据', '取消理由'];
    certs.addRow([...headers, ...others]);
    certs.addRow(['JK-1', '健康证明', '县疾控中心', '《中华人民共和国食品安全法》第四十五条', '保留', '须查验体检结论原件', '12个月', '', '从业人员']);
    certs.addRow(['YZ-1', '营业执照', '县市场监督管理局', '《市场主体登记管理条例》', '保留', '须核对电子营业执照', '长期', 'A', '']);
    const items = wb.addWorksheet('政务服务事项');
    items.addRow(['实施编码', '事项名称', '实施部门', '事项类型', '承诺时限（工作日）', '所需证明']);
    items.addRow(['11420325MB1C50836R0100041001000', '食品经营许可', '县市场监督管理局', '行政许可', 10, 'JK-1、YZ-1']);
    wb.addWorksheet('一件事').addRow(['联办编码', '联办名称', '包含事项']);
    return wb;
  }

  it('does not offer a 健康证明 (12 months) presented 13 months ago; the trust grade comes from the catalog', async () => {
    const c = clock('2026-01-10T10:00:00+08:00');
    const { d, admin } = await deskAt(c.now);
    let clerk = (await d.signIn('zhangmin')).token;
    const imported = await importWorkbook(d, admin, await validityWorkbook(), '健康证明有效期.xlsx', '2026-01-10');
    expect(imported).toMatchObject({ ok: true, counts: { certificates: 2, serviceItems: 1, bundles: 0 } });
    const applicant = await applicantId(d, clerk, '王芳');
    const item = (await d.call('catalog.listServiceItems', { query: '食品经营许可' }, clerk))[0]!;

    let first = await d.call('intake.start', { applicantId: applicant, serviceItemIds: [item.id] }, clerk);
    for (const name of ['健康证明', '营业执照']) {
      first = await d.call('intake.addMaterial', { caseId: first.id, certificateItemId: cert(first, name).certificateItemId, title: name, pages: [{ mime: 'image/png', base64: PNG }] }, clerk);
    }
    const kept = await d.call('materials.forApplicant', { applicantId: applicant, caseId: first.id }, clerk);
    const health = kept.find((m) => m.title === '健康证明')!;
    expect(health).toMatchObject({ trustGrade: 'B', validFrom: '2026-01-10', validUntil: '2027-01-10', valid: true });
    expect(health.trustNote).toBe('经与原件核对无误，核对人：张敏，2026-01-10');
    expect(kept.find((m) => m.title === '营业执照')).toMatchObject({ trustGrade: 'A', validUntil: null, valid: true });

    // Eleven months later: still offered.
    c.set('2026-12-10T10:00:00+08:00');
    clerk = (await d.signIn('zhangmin')).token; // the idle lock counted the jump
    const second = await d.call('intake.start', { applicantId: applicant, serviceItemIds: [item.id] }, clerk);
    expect((await d.call('materials.forApplicant', { applicantId: applicant, caseId: second.id }, clerk)).find((m) => m.id === health.id)!.valid).toBe(true);

    // Thirteen months after it was presented: not offered, and refused if asked for.
    c.set('2027-02-10T10:00:00+08:00');
    clerk = (await d.signIn('zhangmin')).token;
    const third = await d.call('intake.start', { applicantId: applicant, serviceItemIds: [item.id] }, clerk);
    const now = await d.call('materials.forApplicant', { applicantId: applicant, caseId: third.id }, clerk);
    expect(now.find((m) => m.id === health.id)).toMatchObject({ valid: false, validUntil: '2027-01-10' });
    expect(now.find((m) => m.title === '营业执照')!.valid).toBe(true); // 长期
    const reuse = await d.raw('intake.attachMaterial', { caseId: third.id, certificateItemId: cert(third, '健康证明').certificateItemId, materialId: health.id }, clerk);
    expect(reuse.ok === false && reuse.error).toMatchObject({
      code: 'INVALID_STATE',
      message: '“健康证明”于 2026-01-10 提交，已于 2027-01-10 超过有效期，不能复用，请核对新的原件。',
    });
  });
});
