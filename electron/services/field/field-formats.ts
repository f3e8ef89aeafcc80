/**
 * The two files of field mode (外勤). They map onto a transfer bundle later
 * (docs/verification.md): the package is one signed record addressed to one
 * assistant; the result is one record with attachments, applied once by its id.
 */
export const PACKAGE_FORMAT = 'pfd-field-package';
export const RESULT_FORMAT = 'pfd-field-result';

export interface FieldPackageBody {
  format: typeof PACKAGE_FORMAT;
  version: 1;
  packageId: string;
  issuedAt: string;
  hall: { name: string; publicKey: string };
  assistant: { id: number; name: string };
  checkoutKey: string;
  task: {
    id: number;
    caseNo: string;
    applicantName: string;
    idNumberMasked: string;
    /** The registered address (null: 地址未登记) and full phone; absent in packages issued before they were carried. */
    applicantAddress?: string | null;
    applicantPhone?: string;
    certificate: string;
    items: string[];
    department: string;
    method: string;
    dueAt: string | null;
    commitmentText: string;
    checklist: { key: string; text: string }[];
    needsSignature: boolean;
  };
}
export interface FieldPackage extends FieldPackageBody {
  signature: string;
}

export interface FieldWork {
  answers: Record<string, boolean>;
  notes: string;
  address: string;
  coords: { lat: number; lng: number; accuracy: number | null } | null;
  outcome: 'true' | 'false' | 'unable' | null;
  consequence: {
    legalBasis: string;
    reason: string;
    severity: '轻微' | '一般' | '严重';
    rectificationDeadline?: string;
    penalty?: string;
  } | null;
}

export interface FieldResultBody {
  format: typeof RESULT_FORMAT;
  version: 1;
  resultId: string;
  packageId: string;
  taskId: number;
  assistant: { id: number; name: string };
  finishedAt: string;
  work: FieldWork;
  evidence: { kind: 'photo' | 'signature'; sha256: string; takenAt: string; mime: string; base64: string }[];
}
export interface FieldResult extends FieldResultBody {
  mac: string;
}
