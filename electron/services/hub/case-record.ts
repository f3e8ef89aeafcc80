import type { Db } from '../../store/open-store';
import type { WriteContext } from '../../store/write';

/**
 * A case as the hub keeps it for a successor desk (docs/hub.md: a desk can die): every row of the
 * case's tables, drafts included, with each reference made portable — users by user name,
 * applicants by ID type and number, catalog rows by version (label, effective date) and code,
 * files by SHA-256, and the case's own rows (pages, commitments, tasks …) by the dead desk's id,
 * which the importer maps to the ids they get on the successor. Columns are read as the store
 * has them (`SELECT *`), so a column a later migration adds travels without touching this file.
 *
 * Not carried: the case's outbox (the successor pushes its own), the 双随机 draw a task came
 * from (`verification_tasks.draw_id`, hall-level; set to NULL), applied field results and the
 * transfer bookkeeping. Ids inside JSON columns are carried as they are. A reference to a table
 * this file does not know (a later migration's) travels as `$unmapped` and is imported as NULL,
 * named in the import's audit entry.
 */

export interface CaseRecord {
  format: 'pfd-case-record/1';
  caseNo: string;
  /** Table name → rows, in import order. */
  tables: Record<string, Record<string, unknown>[]>;
  /** Every file a row refers to. */
  files: { sha256: string; size: number; mime: string }[];
}

type Row = Record<string, unknown>;

const CASE_DOCS = 'SELECT id FROM scan_documents WHERE case_id = @c';
const CASE_COMMITMENTS = 'SELECT id FROM commitments WHERE case_id = @c';
const CASE_TASKS = `SELECT id FROM verification_tasks WHERE commitment_id IN (${CASE_COMMITMENTS})`;
// The materials the case uses, and those its scans became (scan_documents.material_id, migrations/0025).
const CASE_MATERIALS = 'SELECT material_id FROM case_materials WHERE case_id = @c UNION SELECT material_id FROM scan_documents WHERE case_id = @c AND material_id IS NOT NULL';

/** The case's tables in import order (a row's references come before it), with the rows that belong to the case. */
const TABLES: { table: string; where: string; order: string }[] = [
  { table: 'cases', where: 'id = @c', order: 'id' },
  { table: 'materials', where: `id IN (${CASE_MATERIALS})`, order: 'id' },
  { table: 'material_pages', where: `material_id IN (${CASE_MATERIALS})`, order: 'material_id, position' },
  { table: 'case_items', where: 'case_id = @c', order: 'position, service_item_id' },
  { table: 'case_certificates', where: 'case_id = @c', order: 'certificate_item_id' },
  { table: 'case_materials', where: 'case_id = @c', order: 'certificate_item_id, material_id' },
  { table: 'case_circumstances', where: 'case_id = @c', order: 'code' },
  { table: 'case_subjects', where: 'case_id = @c', order: 'role' },
  { table: 'commitments', where: 'case_id = @c', order: 'id' },
  { table: 'verification_tasks', where: `commitment_id IN (${CASE_COMMITMENTS})`, order: 'id' },
  { table: 'verification_evidence', where: `task_id IN (${CASE_TASKS})`, order: 'rowid' },
  { table: 'rectifications', where: 'case_id = @c', order: 'id' },
  { table: 'data_queries', where: 'case_id = @c', order: 'id' },
  { table: 'assistance_requests', where: 'case_id = @c', order: 'id' },
  { table: 'scan_documents', where: 'case_id = @c', order: 'id' },
  { table: 'scan_pages', where: `document_id IN (${CASE_DOCS})`, order: 'id' },
  { table: 'scan_id_card_pairs', where: `document_id IN (${CASE_DOCS})`, order: 'id' },
  { table: 'case_handovers', where: 'case_id = @c', order: 'id' },
  { table: 'progress_notices', where: 'case_id = @c', order: 'id' },
];
const RECORD_TABLES = new Set(TABLES.map((t) => t.table));

/** References that are dropped (hall-level rows a successor cannot map). */
const DROPPED = new Set(['verification_tasks.draw_id']);

interface TableInfo {
  columns: Set<string>;
  /** Has its own `id INTEGER PRIMARY KEY` (a new one is given on import). */
  ownId: boolean;
  /** Column → referenced table. */
  refs: Map<string, string>;
}

const infoCache = new WeakMap<Db, Map<string, TableInfo>>();

function tableInfo(db: Db, table: string): TableInfo {
  let m = infoCache.get(db);
  if (!m) infoCache.set(db, (m = new Map()));
  let info = m.get(table);
  if (!info) {
    const cols = db.prepare(`PRAGMA table_info(${table})`).all() as { name: string; type: string; pk: number }[];
    const fks = db.prepare(`PRAGMA foreign_key_list(${table})`).all() as { from: string; table: string }[];
    info = {
      columns: new Set(cols.map((c) => c.name)),
      ownId: cols.some((c) => c.name === 'id' && c.pk === 1 && c.type.toUpperCase() === 'INTEGER'),
      refs: new Map(fks.map((f) => [f.from, f.table])),
    };
    // Not declared as a foreign key, but a case reference all the same.
    if (table === 'materials') info.refs.set('source_case_id', 'cases');
    m.set(table, info);
  }
  return info;
}

// ------------------------------------------------------------------------------------------ export

export function exportCaseRecord(db: Db, caseId: number): CaseRecord {
  const caseNo = (db.prepare('SELECT case_no FROM cases WHERE id = ?').get(caseId) as { case_no: string } | undefined)?.case_no;
  if (!caseNo) throw new Error(`case ${caseId} does not exist`);
  const portable = portableRefs(db);
  const tables: Record<string, Row[]> = {};
  const files = new Set<string>();
  const applicants = new Set<number>();
  for (const t of TABLES) {
    const info = tableInfo(db, t.table);
    const rows = db.prepare(`SELECT * FROM ${t.table} WHERE ${t.where} ORDER BY ${t.order}`).all({ c: caseId }) as Row[];
    tables[t.table] = rows.map((r) => {
      const out: Row = {};
      for (const [col, v] of Object.entries(r)) {
        const to = info.refs.get(col);
        if (to === 'files' && typeof v === 'string') files.add(v);
        if (to === 'applicants' && typeof v === 'number') applicants.add(v);
        out[col] = to && v !== null ? (DROPPED.has(`${t.table}.${col}`) ? null : portable(to, v as number | string)) : v;
      }
      return out;
    });
  }
  tables.applicants = [...applicants]
    .sort((a, b) => a - b)
    .map((id) => {
      const r = db.prepare('SELECT * FROM applicants WHERE id = ?').get(id) as Row;
      const { id: _id, ...rest } = r;
      return { ...rest, created_by: portable('users', rest.created_by as number) };
    });
  const info = db.prepare('SELECT size, mime FROM files WHERE sha256 = ?');
  return {
    format: 'pfd-case-record/1',
    caseNo,
    tables,
    files: [...files].sort().map((sha256) => {
      const f = info.get(sha256) as { size: number; mime: string } | undefined;
      if (!f) throw new Error(`file ${sha256} of case ${caseNo} is not in the files table`);
      return { sha256, ...f };
    }),
  };
}

function portableRefs(db: Db): (to: string, v: number | string) => unknown {
  const username = db.prepare('SELECT username FROM users WHERE id = ?').pluck();
  const applicant = db.prepare('SELECT id_type, id_number FROM applicants WHERE id = ?');
  const version = db.prepare('SELECT label, effective_from FROM catalog_versions WHERE id = ?');
  const item = (table: string) => db.prepare(`SELECT v.label, v.effective_from, i.code FROM ${table} i JOIN catalog_versions v ON v.id = i.catalog_version_id WHERE i.id = ?`);
  const serviceItem = item('service_items');
  const certificateItem = item('certificate_items');
  const caseNo = db.prepare('SELECT case_no FROM cases WHERE id = ?').pluck();
  const must = <T>(v: T | undefined, what: string): T => {
    if (v === undefined) throw new Error(`case record: ${what} not found`);
    return v;
  };
  return (to, v) => {
    switch (to) {
      case 'files':
        return v;
      case 'users':
        return { $user: must(username.get(v) as string | undefined, `user ${v}`) };
      case 'applicants': {
        const a = must(applicant.get(v) as { id_type: string; id_number: string } | undefined, `applicant ${v}`);
        return { $applicant: [a.id_type, a.id_number] };
      }
      case 'catalog_versions': {
        const r = must(version.get(v) as { label: string; effective_from: string } | undefined, `catalog version ${v}`);
        return { $catalog: [r.label, r.effective_from] };
      }
      case 'service_items':
      case 'certificate_items': {
        const r = must((to === 'service_items' ? serviceItem : certificateItem).get(v) as { label: string; effective_from: string; code: string } | undefined, `${to} ${v}`);
        return { [to === 'service_items' ? '$serviceItem' : '$certificateItem']: [r.label, r.effective_from, r.code] };
      }
      case 'cases':
        return { $case: caseNo.get(v) ?? null };
      default:
        if (RECORD_TABLES.has(to)) return { $row: [to, v] };
        // A reference to a table the record does not carry (one a later migration adds): kept as
        // it was; the importer writes NULL and lists it in the import's audit entry.
        return { $unmapped: [to, v] };
    }
  };
}

// ------------------------------------------------------------------------------------------ import

/** A record this store cannot take (a user, catalog item or column it lacks): nothing of the case is written. */
export class RecordRefused extends Error {
  constructor(
    readonly chinese: string,
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * Writes a case record into this store inside the caller's transaction, the dead desk's row ids
 * mapped to new ones; materials the dead desk's cases share are created once (hub_successor_rows).
 * The record's files must already be in the file store; their rows in `files` are written here.
 * Returns the new case id.
 */
export function importCaseRecord(w: WriteContext, originDesk: string, rec: CaseRecord): { caseId: number; unmapped: string[] } {
  const db = w.db;
  const unmapped: string[] = [];
  for (const f of rec.files) db.prepare('INSERT OR IGNORE INTO files (sha256, size, mime, created_at) VALUES (?, ?, ?, ?)').run(f.sha256, f.size, f.mime, w.at.toISOString());
  const ids = new Map<string, number>();
  const resolve = resolver(db, originDesk, rec.caseNo, ids, unmapped);
  for (const a of rec.tables.applicants ?? []) {
    const exists = db.prepare('SELECT id FROM applicants WHERE id_type = ? AND id_number = ?').get(a.id_type, a.id_number);
    if (!exists) insertRow(db, 'applicants', a, resolve, false);
  }
  const heldMaterials = new Set<number>();
  const heldMaterial = db.prepare(`SELECT local_id FROM hub_successor_rows WHERE origin_desk = ? AND tbl = 'materials' AND origin_id = ?`).pluck();
  for (const t of TABLES) {
    const info = tableInfo(db, t.table);
    for (const row of rec.tables[t.table] ?? []) {
      if (t.table === 'materials') {
        // A material an earlier case of the dead desk brought along is used, not created again.
        const held = heldMaterial.get(originDesk, row.id) as number | undefined;
        if (held !== undefined) {
          ids.set(`materials:${row.id as number}`, held);
          heldMaterials.add(row.id as number);
          continue;
        }
        // One this desk already received from the hall's material library (the same hall id, docs/hub.md)
        // becomes the dead desk's own again: its row takes the record's values; its pages are the same.
        const fromHall = typeof row.hall_key === 'string' ? (db.prepare('SELECT id FROM materials WHERE hall_key = ?').pluck().get(row.hall_key) as number | undefined) : undefined;
        if (fromHall !== undefined) {
          updateRow(db, t.table, fromHall, row, resolve);
          ids.set(`materials:${row.id as number}`, fromHall);
          heldMaterials.add(row.id as number);
          db.prepare(`INSERT INTO hub_successor_rows (origin_desk, tbl, origin_id, local_id) VALUES (?, 'materials', ?, ?)`).run(originDesk, row.id, fromHall);
          continue;
        }
      }
      if (t.table === 'material_pages' && heldMaterials.has((row.material_id as { $row: [string, number] }).$row[1])) continue;
      const id = insertRow(db, t.table, row, resolve, info.ownId);
      if (info.ownId) ids.set(`${t.table}:${row.id as number}`, id);
      if (t.table === 'cases') ids.set('case', id);
      if (t.table === 'materials') db.prepare(`INSERT INTO hub_successor_rows (origin_desk, tbl, origin_id, local_id) VALUES (?, 'materials', ?, ?)`).run(originDesk, row.id, id);
    }
  }
  const caseId = ids.get('case');
  if (caseId === undefined) throw new RecordRefused('全厅中心的办件记录缺少办件本身。', `record ${rec.caseNo} has no cases row`);
  return { caseId, unmapped };
}

function insertRow(db: Db, table: string, row: Row, resolve: (v: unknown, table: string, col: string) => unknown, dropId: boolean): number {
  const info = tableInfo(db, table);
  const cols = Object.keys(row).filter((c) => !(dropId && c === 'id'));
  for (const c of cols) {
    if (!info.columns.has(c)) throw new RecordRefused(`全厅中心的办件记录有本机没有的字段（${table}.${c}），请先升级本工作台。`, `column ${table}.${c} unknown here`);
  }
  const values = cols.map((c) => resolve(row[c], table, c));
  const r = db.prepare(`INSERT INTO ${table} (${cols.map((c) => `"${c}"`).join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...values);
  return Number(r.lastInsertRowid);
}

/** Sets an existing row's columns (all but its id) to a record row's values. */
function updateRow(db: Db, table: string, id: number, row: Row, resolve: (v: unknown, table: string, col: string) => unknown): void {
  const info = tableInfo(db, table);
  const cols = Object.keys(row).filter((c) => c !== 'id');
  for (const c of cols) {
    if (!info.columns.has(c)) throw new RecordRefused(`全厅中心的办件记录有本机没有的字段（${table}.${c}），请先升级本工作台。`, `column ${table}.${c} unknown here`);
  }
  db.prepare(`UPDATE ${table} SET ${cols.map((c) => `"${c}" = ?`).join(', ')} WHERE id = ?`).run(...cols.map((c) => resolve(row[c], table, c)), id);
}

function resolver(db: Db, originDesk: string, caseNo: string, ids: Map<string, number>, unmapped: string[]): (v: unknown, table: string, col: string) => unknown {
  const q = {
    user: db.prepare('SELECT id FROM users WHERE username = ?').pluck(),
    applicant: db.prepare('SELECT id FROM applicants WHERE id_type = ? AND id_number = ?').pluck(),
    version: db.prepare('SELECT id FROM catalog_versions WHERE label = ? AND effective_from = ?').pluck(),
    serviceItem: db.prepare('SELECT i.id FROM service_items i JOIN catalog_versions v ON v.id = i.catalog_version_id WHERE v.label = ? AND v.effective_from = ? AND i.code = ?').pluck(),
    certificateItem: db.prepare('SELECT i.id FROM certificate_items i JOIN catalog_versions v ON v.id = i.catalog_version_id WHERE v.label = ? AND v.effective_from = ? AND i.code = ?').pluck(),
    caseByNo: db.prepare('SELECT id FROM cases WHERE case_no = ?').pluck(),
    material: db.prepare(`SELECT local_id FROM hub_successor_rows WHERE origin_desk = ? AND tbl = 'materials' AND origin_id = ?`).pluck(),
  };
  const found = (v: unknown, chinese: string, detail: string): number => {
    if (typeof v !== 'number') throw new RecordRefused(chinese, detail);
    return v;
  };
  return (v, table, col) => {
    if (v === null || typeof v !== 'object') return typeof v === 'boolean' ? Number(v) : v;
    const o = v as Record<string, unknown>;
    if ('$user' in o) return found(q.user.get(o.$user), `本机没有原工作台的用户“${String(o.$user)}”，请先在本机建立该用户（或接入全厅用户）后再恢复。`, `user ${String(o.$user)} missing (${table}.${col})`);
    if ('$applicant' in o) {
      const [t, n] = o.$applicant as [string, string];
      return found(q.applicant.get(t, n), '原工作台办件的申请人未能在本机建立。', `applicant ${t}/${n} missing (${table}.${col})`);
    }
    if ('$catalog' in o) {
      const [label, from] = o.$catalog as [string, string];
      return found(q.version.get(label, from), `本机没有原工作台使用的事项目录版本“${label}”（${from} 起施行），请先导入同一目录后再恢复。`, `catalog version ${label}/${from} missing`);
    }
    if ('$serviceItem' in o || '$certificateItem' in o) {
      const service = '$serviceItem' in o;
      const [label, from, code] = (service ? o.$serviceItem : o.$certificateItem) as [string, string, string];
      return found((service ? q.serviceItem : q.certificateItem).get(label, from, code), `本机目录“${label}”中没有${service ? '事项' : '证明'} ${code}，请先导入与原工作台相同的目录后再恢复。`, `${service ? 'service' : 'certificate'} item ${code} of ${label}/${from} missing`);
    }
    if ('$case' in o) {
      if (o.$case === caseNo) return found(ids.get('case'), '办件记录顺序有误。', `case ${caseNo} referenced before its row`);
      return typeof o.$case === 'string' ? ((q.caseByNo.get(o.$case) as number | undefined) ?? null) : null;
    }
    if ('$unmapped' in o) {
      unmapped.push(`${table}.${col} → ${JSON.stringify(o.$unmapped)}`);
      return null;
    }
    if ('$row' in o) {
      const [t, id] = o.$row as [string, number];
      const local = ids.get(`${t}:${id}`) ?? (t === 'materials' ? (q.material.get(originDesk, id) as number | undefined) : undefined);
      return found(local, '办件记录引用了不存在的行。', `${table}.${col} refers to ${t} ${id} not in the record`);
    }
    throw new RecordRefused('全厅中心的办件记录格式无效。', `unexpected value in ${table}.${col}: ${JSON.stringify(v)}`);
  };
}
