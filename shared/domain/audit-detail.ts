/**
 * An audit entry's detail (JSON) as a line a supervisor can read: known keys in Chinese, hashes and
 * internal ids left out unless technical values are asked for (详情), long lists counted.
 */
const KEY_LABELS: Record<string, string> = {
  reason: '原因', note: '备注', caseNo: '办件编号', taskId: '核查任务', severity: '失信程度', source: '来源', documentNo: '文号',
  legalBasis: '法律依据', outcome: '结论', from: '原状态', to: '新状态', status: '状态', target: '对接系统', targetCaseNo: '对接系统编号',
  title: '标题', kind: '类别', year: '年份', name: '名称', username: '用户名', role: '角色', items: '事项', certificate: '证明',
  backup: '备份', epoch: '纪元', count: '数量', pages: '页数', position: '页码', failures: '连续失败次数', context: '环节',
  choice: '选择', method: '办理方式', decidedOn: '决定日期', dueAt: '到期', bundle: '交换包', applicant: '申请人', checked: '核对条数',
  ok: '结果', firstBroken: '断开位置', channel: '方式', reply: '答复', assignee: '分派给', deskId: '工作台', fingerprint: '指纹',
  date: '日期', before: '更改前', after: '更改后', holidays: '休息日', workdays: '调休上班日', days: '天数',
};

/** Enumerated values that have a Chinese name. */
const VALUE_LABELS: Record<string, string> = {
  normal: '按常规', holiday: '休', workday: '班', true: '是', false: '否',
  // A data-sharing query's outcome (intake/data-queries.ts).
  found: '查到', not_found: '未查到', unreachable: '平台暂不可达',
};

const HASH = /^[0-9a-f]{40,}$/i;
const INTERNAL_KEYS = new Set(['sha256', 'hash', 'fileSha256', 'pdfSha256', 'prevHash', 'idempotencyKey', 'nonce', 'leaseOwner', 'key']);

function value(v: unknown, technical: boolean): string | null {
  if (v === null || v === undefined || v === '') return null;
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return !technical && HASH.test(v) ? null : (VALUE_LABELS[v] ?? (v.length > 80 ? `${v.slice(0, 80)}…` : v));
  if (Array.isArray(v)) {
    const parts = v.map((x) => value(x, technical)).filter((x): x is string => x !== null);
    return parts.length === 0 ? null : parts.length <= 5 && parts.every((p) => p.length <= 30) ? parts.join('、') : `${v.length}项`;
  }
  if (typeof v === 'object') {
    const inner = formatFields(v as Record<string, unknown>, technical);
    return inner || null;
  }
  return String(v);
}

function formatFields(o: Record<string, unknown>, technical: boolean): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries(o)) {
    if (!technical && (INTERNAL_KEYS.has(k) || (/Id$|^id$/.test(k) && typeof v === 'number'))) continue;
    const shown = value(v, technical);
    if (shown === null) continue;
    const label = KEY_LABELS[k] ?? (technical ? k : null);
    if (label === null) continue;
    out.push(`${label}：${shown}`);
  }
  return out.join('；');
}

export function formatAuditDetail(detailJson: string, technical = false): string {
  let o: unknown;
  try {
    o = JSON.parse(detailJson);
  } catch {
    return technical ? detailJson : '';
  }
  if (!o || typeof o !== 'object' || Array.isArray(o)) return technical ? detailJson : '';
  return formatFields(o as Record<string, unknown>, technical);
}
