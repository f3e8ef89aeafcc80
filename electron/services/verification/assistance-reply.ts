import type { WriteContext } from '../../store/write';
import type { FileStore } from '../files/file-store';
import { AppError } from '../../app/app-error';
import { CASE_STATUS_LABELS, type CaseStatus } from '../../../shared/rules/case-states';
import { checkImageBytes, sniffImageMime } from '../images/image-check';
import { bumpRevision } from '../cases/case-state';
import { shareAssistanceRequest } from '../hub/hall-assistance';

export interface AssistanceReply {
  requestId: number;
  outcome: 'confirmed' | 'denied';
  reply: string;
  channel: 'phone' | 'letter';
  scanBase64?: string;
}

export interface StoredScan {
  sha: string;
  size: number;
  mime: string;
}

/**
 * The one 协查 reply path (intake's certificate step and the verification page's 协查 tab both call
 * it). Outside the transaction: the scanned page is checked and stored; a written reply (书面复函)
 * must carry it.
 */
export function storeReplyScan(files: FileStore, r: Pick<AssistanceReply, 'channel' | 'scanBase64'>): StoredScan | null {
  let scan: StoredScan | null = null;
  if (r.scanBase64) {
    const bytes = Buffer.from(r.scanBase64, 'base64');
    let mime: string;
    if (bytes.subarray(0, 5).toString() === '%PDF-') mime = 'application/pdf';
    else if (sniffImageMime(bytes)) mime = checkImageBytes(bytes, '复函扫描件').mime;
    else throw new AppError('BAD_INPUT', '扫描件须为 JPEG、PNG 图像或 PDF 文件。', {}, { scanBase64: '文件类型不支持' });
    scan = { sha: files.put(bytes), size: bytes.length, mime };
  }
  if (r.channel === 'letter' && !scan) throw new AppError('BAD_INPUT', '书面复函须附扫描件。', {}, { scanBase64: '请附复函扫描件' });
  return scan;
}

/**
 * Inside the caller's write: the reply recorded, the certificate satisfied (confirmed) or back to
 * pending — unresolved, so 办结 is refused (cases/case-state.ts) — with its resolution kept, the
 * case's revision bumped, one audit shape. Returns the case id.
 */
export function recordAssistanceReply(w: WriteContext, files: FileStore, r: AssistanceReply, scan: StoredScan | null): number {
  const rq = w.db
    .prepare('SELECT r.id, r.case_id, r.certificate_item_id, r.status, r.due_at, c.status AS case_status FROM assistance_requests r JOIN cases c ON c.id = r.case_id WHERE r.id = ?')
    .get(r.requestId) as { id: number; case_id: number; certificate_item_id: number; status: string; due_at: string; case_status: CaseStatus } | undefined;
  if (!rq) throw new AppError('NOT_FOUND', '该协查请求不存在。');
  if (rq.status !== 'open') throw new AppError('INVALID_STATE', '该协查请求已有答复。');
  if (!['draft', 'accepted', 'verifying'].includes(rq.case_status)) {
    throw new AppError('INVALID_STATE', `办件当前为“${CASE_STATUS_LABELS[rq.case_status]}”，不能登记协查答复。`);
  }
  const at = w.at.toISOString();
  if (scan) files.record(w.db, scan.sha, scan.size, scan.mime, w.at);
  w.db
    .prepare(`UPDATE assistance_requests SET status = 'replied', reply = ?, reply_outcome = ?, replied_at = ?, reply_channel = ?, reply_file_sha256 = ? WHERE id = ?`)
    .run(r.reply, r.outcome, at, r.channel, scan?.sha ?? null, rq.id);
  w.db
    .prepare('UPDATE case_certificates SET state = ?, updated_at = ? WHERE case_id = ? AND certificate_item_id = ?')
    .run(r.outcome === 'confirmed' ? 'satisfied' : 'pending', at, rq.case_id, rq.certificate_item_id);
  bumpRevision(w, rq.case_id);
  shareAssistanceRequest(w, rq.id);
  w.audit({ action: 'assistance.reply', entityType: 'assistance', entityId: rq.id, detail: { caseId: rq.case_id, outcome: r.outcome, channel: r.channel, scan: scan?.sha ?? null, late: at > rq.due_at } });
  return rq.case_id;
}
