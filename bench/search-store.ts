// Bulk-fills a migrated, demo-seeded store with a large, realistic case load for
// the search part of bench/intake.bench.ts. Not a product path: rows go in
// directly with better-sqlite3 (synchronous=OFF, big transactions), bypassing
// the services and the audit chain.
//
// What one generated case looks like (deterministic, seeded PRNG):
//   applicant  a person with a common Chinese name (surname by census frequency
//              × given-name characters by a Zipf-like frequency, 30 % two-character
//              names), a valid resident ID (70 % 房县 420325, 20 % the rest of
//              十堰, 10 % elsewhere; birth 1940-2010; idCheckChar) and a mobile number
//   case       '420325-ZWFW-yyyymmdd-nnnn' (China day, per-day sequence), created
//              in order over 2024-01-02 … 2026-11-21; 1-3 service items of the demo
//              catalog; the merged case_certificates exactly as intake.start builds
//              them; a status spread by age (recent: drafts and open work; old:
//              mostly completed, some rejected / terminated / revoked / still verifying)
//   resolution rows for every certificate resolved past draft, as the services
//              write them: data_queries (answered, request and response JSON),
//              assistance_requests (open, possibly overdue, or replied), commitments
//              + verification_tasks, materials + material_pages + case_materials.
//   Not generated: audit_log entries (one per step in a real store, ~7 per
//   case) and per-row files (file rows come from a pool of 2,000 hashes).
import { createHash } from 'node:crypto';
import { openDeskDb } from '../electron/store/store-cipher';
import { idCheckChar, maskIdNumber } from '../shared/rules/id-number';
import type { CaseStatus } from '../shared/rules/case-states';
import type { CertificateMethod } from '../shared/domain/catalog';

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Picks from weighted choices with a precomputed cumulative table. */
function weighted<T>(choices: readonly (readonly [T, number])[]): (r: number) => T {
  const total = choices.reduce((s, [, w]) => s + w, 0);
  const cum: number[] = [];
  let acc = 0;
  for (const [, w] of choices) cum.push((acc += w / total));
  return (r) => {
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r < cum[mid]!) hi = mid;
      else lo = mid + 1;
    }
    return choices[lo]![0];
  };
}

// Surnames with their approximate share of the population (%, 2020 census order).
const SURNAMES: [string, number][] = [
  ['王', 7.1], ['李', 7.0], ['张', 6.6], ['刘', 5.4], ['陈', 4.6], ['杨', 3.1], ['黄', 2.4], ['赵', 2.3], ['吴', 2.0], ['周', 1.9],
  ['徐', 1.3], ['孙', 1.3], ['马', 1.2], ['朱', 1.1], ['胡', 1.1], ['郭', 1.0], ['何', 0.9], ['林', 0.9], ['高', 0.9], ['罗', 0.8],
  ['郑', 0.8], ['梁', 0.7], ['谢', 0.6], ['宋', 0.6], ['唐', 0.6], ['许', 0.5], ['韩', 0.5], ['冯', 0.5], ['邓', 0.5], ['曹', 0.5],
  ['彭', 0.4], ['曾', 0.4], ['肖', 0.4], ['田', 0.4], ['董', 0.4], ['袁', 0.4], ['潘', 0.3], ['于', 0.3], ['蒋', 0.3], ['蔡', 0.3],
  ['余', 0.3], ['杜', 0.3], ['叶', 0.3], ['程', 0.3], ['苏', 0.3], ['魏', 0.3], ['吕', 0.3], ['丁', 0.3], ['任', 0.3], ['沈', 0.2],
];
// Common given-name characters, most frequent first; weight 1 / (rank + 2).
const GIVEN = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂华玉兰红梅建国文辉林志波海鹏飞斌宇浩凯俊健婷雪琳晶燕慧佳欣怡子涵轩博晨阳鑫颖春金凤荣云龙东亮成德福安生新兵清永宏庆立峰翠萍莉琴丹倩瑶欢璐琪悦嘉思雨梓'];
const surname = weighted(SURNAMES);
const given = weighted(GIVEN.map((c, i) => [c, 1 / (i + 2)] as const));
const region = weighted<string>([
  ['420325', 70], // 房县
  ['420302', 3], ['420303', 3], ['420304', 3], ['420322', 3], ['420323', 3], ['420324', 3], ['420381', 2], // 十堰
  ['420106', 2], ['420111', 2], ['420606', 2], ['410105', 1], ['500103', 1], ['610113', 1], ['440305', 1], // elsewhere
]);

export function randomName(r: () => number): string {
  const s = surname(r());
  const g1 = given(r());
  if (r() < 0.3) return s + g1;
  const g2 = r() < 0.05 ? g1 : given(r());
  return s + g1 + g2;
}

const BIRTH_FROM = Date.UTC(1940, 0, 1);
const BIRTH_DAYS = Math.floor((Date.UTC(2010, 11, 31) - BIRTH_FROM) / 86_400_000);

export function randomIdNumber(r: () => number): string {
  const birth = new Date(BIRTH_FROM + Math.floor(r() * BIRTH_DAYS) * 86_400_000).toISOString().slice(0, 10).replace(/-/g, '');
  const first17 = region(r()) + birth + String(Math.floor(r() * 1000)).padStart(3, '0');
  return first17 + idCheckChar(first17);
}

export function randomPhone(r: () => number): string {
  let p = '1' + String(3 + Math.floor(r() * 7));
  for (let i = 0; i < 9; i++) p += String(Math.floor(r() * 10));
  return p;
}

const CASES_FROM = Date.parse('2024-01-02T00:30:00Z'); // 08:30 China time
const CASES_TO = Date.parse('2026-11-21T09:00:00Z');
const DAY = 86_400_000;
const chinaDay = (t: number) => new Date(t + 8 * 3_600_000).toISOString().slice(0, 10);
const hex64 = (s: string) => createHash('sha256').update(s).digest('hex');

function statusFor(age: number, r: number): CaseStatus {
  // age: 0 = oldest case, 1 = newest.
  const pick = (table: [CaseStatus, number][]) => {
    let acc = 0;
    for (const [s, p] of table) if (r < (acc += p)) return s;
    return table[table.length - 1]![0];
  };
  if (age > 0.99) return pick([['draft', 0.35], ['accepted', 0.3], ['verifying', 0.15], ['rejected', 0.1], ['completed', 0.1]]);
  if (age > 0.95) return pick([['accepted', 0.15], ['verifying', 0.2], ['completed', 0.55], ['rejected', 0.05], ['terminated', 0.03], ['draft', 0.02]]);
  return pick([['completed', 0.82], ['rejected', 0.06], ['terminated', 0.05], ['revoked', 0.02], ['verifying', 0.03], ['accepted', 0.01], ['draft', 0.01]]);
}

export interface StoreCounts {
  applicants: number;
  cases: number;
  byStatus: Record<string, number>;
  tables: Record<string, number>;
}

export interface GeneratedApplicant {
  id: number;
  name: string;
  idNumber: string;
  phone: string;
}

export interface GeneratedStore {
  counts: StoreCounts;
  /** A few generated rows the bench looks up (by position in creation order). */
  applicantAt(i: number): GeneratedApplicant;
  caseNoAt(i: number): string;
  caseIdAt(i: number): number;
}

interface CatalogCert {
  id: number;
  code: string;
  name: string;
  method: CertificateMethod;
  detail: { source?: string; dataset?: string; verifyingDepartment?: string; timeLimitDays?: number; mode?: string; verification?: { method?: string; samplingRatio?: number; timeLimitDays?: number } };
}

/**
 * Fills `dbFile` (already migrated and demo-seeded by createApp, and closed)
 * with `nApplicants` applicants and `nCases` cases.
 */
export function fillStore(dbFile: string, nApplicants: number, nCases: number, seed = 20261122): GeneratedStore {
  const r = prng(seed);
  const db = openDeskDb(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = ON');
  db.pragma('cache_size = -262144'); // 256 MB for the build only; the app opens with its own settings
  try {
    const user = (name: string) => (db.prepare('SELECT id, display_name FROM users WHERE username = ?').get(name) as { id: number; display_name: string });
    const clerks = [user('zhangmin'), user('liuyang')];
    const hallCode = (db.prepare('SELECT code FROM hall WHERE id = 1').get() as { code: string }).code;
    const version = (db.prepare('SELECT id FROM catalog_versions ORDER BY id DESC LIMIT 1').get() as { id: number }).id;
    const certs = new Map<number, CatalogCert>();
    for (const c of db.prepare('SELECT id, code, name, method, method_detail FROM certificate_items WHERE catalog_version_id = ?').all(version) as {
      id: number;
      code: string;
      name: string;
      method: CertificateMethod;
      method_detail: string;
    }[]) {
      certs.set(c.id, { id: c.id, code: c.code, name: c.name, method: c.method, detail: JSON.parse(c.method_detail) as CatalogCert['detail'] });
    }
    const items = (db.prepare('SELECT id, name FROM service_items WHERE catalog_version_id = ? ORDER BY id').all(version) as { id: number; name: string }[]).map((it) => ({
      ...it,
      certs: (db.prepare('SELECT certificate_item_id AS id FROM service_item_certificates WHERE service_item_id = ? ORDER BY position').all(it.id) as { id: number }[]).map((c) => c.id),
    }));

    // A pool of file rows for signatures, PDFs, evidence and page scans (rows only; nothing on disk).
    const insFile = db.prepare('INSERT OR IGNORE INTO files (sha256, size, mime, created_at) VALUES (?, ?, ?, ?)');
    const pool = (kind: string, mime: string, size: number, n: number) => {
      const shas: string[] = [];
      for (let i = 0; i < n; i++) {
        const sha = hex64(`bench-${kind}-${i}`);
        insFile.run(sha, size, mime, new Date(CASES_FROM).toISOString());
        shas.push(sha);
      }
      return shas;
    };
    const files = db.transaction(() => ({
      signature: pool('signature', 'image/png', 6_000, 500),
      pdf: pool('pdf', 'application/pdf', 180_000, 500),
      evidence: pool('evidence', 'application/json', 600, 500),
      page: pool('page', 'image/jpeg', 200_000, 500),
    }))();
    const fromPool = (p: string[]) => p[Math.floor(r() * p.length)]!;

    // ---- applicants, in creation order, spread over the same period as the cases.
    const insApplicant = db.prepare(`INSERT INTO applicants (kind, name, id_type, id_number, phone, created_at, created_by) VALUES ('person', ?, 'resident_id', ?, ?, ?, ?)`);
    const taken = new Set((db.prepare(`SELECT id_number FROM applicants`).all() as { id_number: string }[]).map((a) => a.id_number));
    const applicants: GeneratedApplicant[] = [];
    const BATCH = 10_000;
    for (let start = 0; start < nApplicants; start += BATCH) {
      db.transaction(() => {
        for (let i = start; i < Math.min(nApplicants, start + BATCH); i++) {
          let idNumber = randomIdNumber(r);
          while (taken.has(idNumber)) idNumber = randomIdNumber(r);
          taken.add(idNumber);
          const name = randomName(r);
          const phone = randomPhone(r);
          const at = new Date(CASES_FROM + ((i + r() * 0.9) / nApplicants) * (CASES_TO - CASES_FROM) - 600_000).toISOString();
          const id = Number(insApplicant.run(name, idNumber, phone, at, clerks[i % 2]!.id).lastInsertRowid);
          applicants.push({ id, name, idNumber, phone });
        }
      })();
    }

    // ---- cases with their items, certificates and resolution rows.
    const insCase = db.prepare(
      `INSERT INTO cases (case_no, applicant_id, catalog_version_id, bundle_code, status, status_reason, revision, created_at, created_by, updated_at, accepted_at, accepted_by)
       VALUES (?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insItem = db.prepare('INSERT INTO case_items (case_id, service_item_id, position) VALUES (?, ?, ?)');
    const insCert = db.prepare('INSERT INTO case_certificates (case_id, certificate_item_id, method, state, resolution, needed_by, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const insQuery = db.prepare(
      `INSERT INTO data_queries (case_id, certificate_item_id, status, request, response, evidence_sha256, attempts, last_error, created_at, answered_at) VALUES (?, ?, 'answered', ?, ?, ?, 1, NULL, ?, ?)`,
    );
    const insRequest = db.prepare(
      `INSERT INTO assistance_requests (case_id, certificate_item_id, department, mode, due_at, status, reply, reply_outcome, replied_at, created_at, created_by)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const insCommitment = db.prepare(
      `INSERT INTO commitments (case_id, certificate_item_id, applicant_id, template_version, template_sha256, signature_sha256, signature_kind,
         pdf_sha256, digest_alg, digest, signed_at, withdraw_deadline, created_by)
       VALUES (?, ?, ?, 'v1', ?, ?, 'pad', ?, 'SHA-256', ?, ?, ?, ?)`,
    );
    const insTask = db.prepare('INSERT INTO verification_tasks (commitment_id, method, sampled, due_at, status, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    const insMaterial = db.prepare(
      `INSERT INTO materials (applicant_id, certificate_code, title, trust_grade, trust_note, valid_from, valid_until, source_case_id, created_at, created_by)
       VALUES (?, ?, ?, 'B', ?, ?, ?, ?, ?, ?)`,
    );
    const insPage = db.prepare('INSERT INTO material_pages (material_id, position, file_sha256) VALUES (?, ?, ?)');
    const insCaseMaterial = db.prepare('INSERT INTO case_materials (case_id, certificate_item_id, material_id, reused) VALUES (?, ?, ?, 0)');
    const upsertSeq = db.prepare('INSERT INTO case_number_seq (day, last) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET last = max(last, excluded.last)');

    const caseNos: string[] = [];
    const caseIds: number[] = [];
    const byStatus: Record<string, number> = {};
    let seqDay = '';
    let seqN = 0;
    const templateSha = new Map<number, string>();

    for (let start = 0; start < nCases; start += BATCH) {
      db.transaction(() => {
        for (let k = start; k < Math.min(nCases, start + BATCH); k++) {
          const t = CASES_FROM + ((k + r() * 0.9) / nCases) * (CASES_TO - CASES_FROM);
          const day = chinaDay(t);
          if (day !== seqDay) {
            if (seqDay) upsertSeq.run(seqDay.replace(/-/g, ''), seqN);
            seqDay = day;
            seqN = 0;
          }
          const caseNo = `${hallCode}-${day.replace(/-/g, '')}-${String(++seqN).padStart(4, '0')}`;
          const ownIndex = Math.min(nApplicants - 1, Math.floor((k / nCases) * nApplicants));
          const a = applicants[r() < 0.7 ? ownIndex : Math.floor(r() * (ownIndex + 1))]!;
          const clerk = clerks[Math.floor(r() * 2)]!;
          const age = k / nCases;
          const status = statusFor(age, r());
          byStatus[status] = (byStatus[status] ?? 0) + 1;
          const resolved = status !== 'draft' && status !== 'rejected';
          const created = new Date(t).toISOString();
          const updated = new Date(t + (resolved ? 3 * DAY : 600_000)).toISOString();
          const acceptedAt = resolved ? new Date(t + 1_200_000).toISOString() : null;
          const reason =
            status === 'rejected' ? '申请事项不属于本窗口受理范围' : status === 'terminated' ? '申请人申请撤回' : status === 'revoked' ? '发现申请材料与事实不符，依法撤销' : null;
          const caseId = Number(
            insCase.run(caseNo, a.id, version, status, reason, resolved ? 8 : 2, created, clerk.id, updated, acceptedAt, acceptedAt ? clerk.id : null).lastInsertRowid,
          );
          caseNos.push(caseNo);
          caseIds.push(caseId);

          // 1-3 distinct service items (60 / 30 / 10 %), certificates merged as intake.start does.
          const nItems = r() < 0.6 ? 1 : r() < 0.75 ? 2 : 3;
          const chosen: typeof items = [];
          while (chosen.length < nItems) {
            const it = items[Math.floor(r() * items.length)]!;
            if (!chosen.includes(it)) chosen.push(it);
          }
          const merged = new Map<number, string[]>();
          chosen.forEach((it, pos) => {
            insItem.run(caseId, it.id, pos);
            for (const c of it.certs) merged.set(c, [...(merged.get(c) ?? []), it.name]);
          });
          const maskedId = maskIdNumber(a.idNumber);
          for (const [certId, neededBy] of merged) {
            const c = certs.get(certId)!;
            const done = resolved || (status === 'draft' && r() < 0.5);
            let state = 'pending';
            let resolution: Record<string, unknown> = {};
            const at = new Date(t + 300_000).toISOString();
            if (c.method === 'cancelled') state = 'not_needed';
            else if (done && c.method === 'data_sharing') {
              state = 'satisfied';
              const request = {
                source: c.detail.source ?? '',
                dataset: c.detail.dataset ?? c.name,
                query: '',
                subject: { idType: 'resident_id', idNumber: maskedId, name: a.name },
                requestId: `${caseNo}:${c.code}`,
              };
              const answer = { status: 'found', reference: `GX${(t / 1000).toString(36).toUpperCase()}${k % 10000}`, data: { 姓名: a.name, 核验结果: '一致', 数据来源: c.detail.source ?? '' } };
              insQuery.run(caseId, certId, JSON.stringify(request), JSON.stringify(answer), fromPool(files.evidence), at, at);
            } else if (done && c.method === 'dept_verification') {
              const open = status === 'accepted' || status === 'verifying' || status === 'draft';
              state = open ? 'requested' : 'satisfied';
              const due = new Date(t + 7 * DAY).toISOString();
              insRequest.run(
                caseId,
                certId,
                c.detail.verifyingDepartment ?? '县公安局',
                c.detail.mode ?? '部门协查',
                due,
                open ? 'open' : 'replied',
                open ? null : '经核查，情况属实。',
                open ? null : 'confirmed',
                open ? null : new Date(t + 4 * DAY).toISOString(),
                at,
                clerk.id,
              );
            } else if (done && c.method === 'commitment' && r() < 0.8) {
              state = 'satisfied';
              resolution = { choice: 'commit' };
              let tpl = templateSha.get(certId);
              if (!tpl) templateSha.set(certId, (tpl = hex64(`template-${certId}`)));
              const commitmentId = Number(
                insCommitment.run(
                  caseId,
                  certId,
                  a.id,
                  tpl,
                  fromPool(files.signature),
                  fromPool(files.pdf),
                  hex64(`${caseNo}:${c.code}`),
                  at,
                  new Date(t + 5 * DAY).toISOString(),
                  clerk.id,
                ).lastInsertRowid,
              );
              const plan = c.detail.verification ?? {};
              const exempt = !plan.method || plan.method === '免于核查';
              const sampled = !exempt && r() < (plan.samplingRatio ?? 1);
              insTask.run(
                commitmentId,
                exempt ? '免于核查' : plan.method,
                sampled ? 1 : 0,
                sampled ? new Date(t + (plan.timeLimitDays ?? 20) * DAY).toISOString() : null,
                !sampled ? 'exempt' : age > 0.97 ? 'open' : 'passed',
                at,
              );
            } else if (done && (c.method === 'retained' || c.method === 'commitment')) {
              state = 'presented';
              if (c.method === 'commitment') resolution = { choice: 'present' };
              const materialId = Number(
                insMaterial.run(a.id, c.code, c.name, `经与原件核对无误，核对人：${clerk.display_name}，${day}`, day, r() < 0.5 ? null : '2099-12-31', caseId, at, clerk.id)
                  .lastInsertRowid,
              );
              const pages = 1 + Math.floor(r() * 2);
              for (let p = 0; p < pages; p++) insPage.run(materialId, p, fromPool(files.page));
              insCaseMaterial.run(caseId, certId, materialId);
            }
            insCert.run(caseId, certId, c.method, state, JSON.stringify(resolution), JSON.stringify(neededBy), at);
          }
        }
        if (seqDay) upsertSeq.run(seqDay.replace(/-/g, ''), seqN);
      })();
    }

    const tables: Record<string, number> = {};
    for (const tbl of ['applicants', 'cases', 'case_items', 'case_certificates', 'data_queries', 'assistance_requests', 'commitments', 'verification_tasks', 'materials', 'material_pages', 'case_materials', 'files', 'audit_log']) {
      tables[tbl] = (db.prepare(`SELECT count(*) AS n FROM ${tbl}`).get() as { n: number }).n;
    }
    // No ANALYZE: the app never runs it, so its query plans come without sqlite_stat1, as here.
    db.pragma('wal_checkpoint(TRUNCATE)');
    return {
      counts: { applicants: nApplicants, cases: nCases, byStatus, tables },
      applicantAt: (i) => applicants[Math.min(applicants.length - 1, Math.max(0, i))]!,
      caseNoAt: (i) => caseNos[Math.min(caseNos.length - 1, Math.max(0, i))]!,
      caseIdAt: (i) => caseIds[Math.min(caseIds.length - 1, Math.max(0, i))]!,
    };
  } finally {
    db.close();
  }
}
