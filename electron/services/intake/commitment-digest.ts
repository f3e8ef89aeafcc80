import { createHash } from 'node:crypto';

export interface CommitmentBinding {
  caseNo: string;
  certificateCode: string;
  certificateItemId: number;
  applicant: { idType: string; idNumber: string; name: string };
  signedAt: string;
  templateVersion: string;
  templateSha256: string;
  signatureSha256: string;
}

/**
 * Binds a signed commitment to its case, certificate, applicant, time,
 * template and signature (电子签名法 §13: a signature image alone is not
 * enough). Canonical JSON with a fixed key order, hashed with SHA-256; SM3
 * is available in Node's OpenSSL for 商用密码 deployments.
 */
export function commitmentDigest(b: CommitmentBinding, alg: 'SHA-256' | 'SM3' = 'SHA-256'): string {
  const canonical = JSON.stringify([
    b.caseNo,
    b.certificateCode,
    b.certificateItemId,
    b.applicant.idType,
    b.applicant.idNumber,
    b.applicant.name,
    b.signedAt,
    b.templateVersion,
    b.templateSha256,
    b.signatureSha256,
  ]);
  return createHash(alg === 'SM3' ? 'sm3' : 'sha256').update(canonical, 'utf8').digest('hex');
}

export function templateSha256(t: { templateVersion: string; noticeText: string; commitmentText: string }): string {
  return createHash('sha256').update(JSON.stringify([t.templateVersion, t.noticeText, t.commitmentText]), 'utf8').digest('hex');
}
