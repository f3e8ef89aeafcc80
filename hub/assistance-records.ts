/**
 * 协查 requests across the hall (docs/hub.md, "Records, owners and offline"): a hall record of kind
 * 'assistance_request', owned by the desk that sent the request. Its id is `<desk id>:<request
 * id>`, and only that desk may write it (a desk cannot answer another window's 协查). What every
 * desk needs to list it is checked here; the desks' side is electron/services/hub/hall-assistance.ts.
 */

const isText = (v: unknown) => typeof v === 'string' && v.length > 0;
const isTime = (v: unknown) => isText(v) && !Number.isNaN(Date.parse(v as string));
const ID_NUMBER_IN_CLEAR = /\d{15,}|\d{17}[\dXx]|[0-9A-HJ-NPQRTUWXY]{18}/;

export function assistanceRequestProblem(recordId: string, b: Record<string, unknown>, deskId: string): string | null {
  const m = /^(.+):(\d+)$/.exec(recordId);
  if (!m) return `assistance request id ${recordId} is not <desk id>:<request id>`;
  if (m[1] !== deskId || b.deskId !== deskId) return `assistance request ${recordId} belongs to desk ${m[1]}, not to ${deskId}`;
  if (b.requestId !== Number(m[2])) return `assistance request ${recordId} carries request id ${String(b.requestId)}`;
  for (const f of ['window', 'caseNo', 'applicantName', 'applicantIdMasked', 'certificate', 'mode', 'department'] as const) if (!isText(b[f])) return `assistance request needs ${f}`;
  if (ID_NUMBER_IN_CLEAR.test(b.applicantIdMasked as string)) return 'assistance request carries an ID number in clear';
  if (!isTime(b.createdAt) || !isTime(b.dueAt)) return 'assistance request needs createdAt and dueAt (ISO times)';
  if (!['open', 'replied', 'cancelled'].includes(b.status as string)) return `assistance request has unknown status ${String(b.status)}`;
  if (b.outcome !== null && !['confirmed', 'denied'].includes(b.outcome as string)) return `assistance request has unknown outcome ${String(b.outcome)}`;
  if (b.repliedAt !== null && !isTime(b.repliedAt)) return 'assistance request repliedAt is not an ISO time';
  if ((b.replySummary !== null && typeof b.replySummary !== 'string') || (b.channel !== null && typeof b.channel !== 'string')) return 'assistance request replySummary and channel are text or null';
  return null;
}
