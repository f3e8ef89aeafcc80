/**
 * How each certificate of a case is resolved: the states a certificate row can be in, which of
 * them count as resolved (the case may be accepted only when every certificate is), and which
 * certificates a case lists at all — 不涉及 when a circumstance answer rules it out, 由本件产生 when
 * an earlier item of the same case produces it. Pure: the intake service stores what this decides.
 */
import { APPLICANT_SELF } from '../domain/catalog';

/** States of a certificate as the desk shows it. `not_applicable` and `produced` are resolved without any document. */
export const CERTIFICATE_STATES = ['not_needed', 'not_applicable', 'produced', 'pending', 'satisfied', 'queued', 'requested', 'presented'] as const;
export type CertificateState = (typeof CERTIFICATE_STATES)[number];

/** The stored state (case_certificates.state) and applicability (case_certificates.applicability). */
export type StoredState = 'not_needed' | 'pending' | 'satisfied' | 'queued' | 'requested' | 'presented';
export type Applicability = 'applies' | 'not_applicable' | 'produced';

/** The one state shown for a stored row: a certificate that does not apply is 不涉及 whatever its method. */
export function certificateState(stored: StoredState, applicability: Applicability): CertificateState {
  return applicability === 'applies' ? stored : applicability;
}

/** Every state but `pending` is resolved: cancelled, 不涉及, 由本件产生, done, or handed to someone with a due date. */
export function isResolved(state: CertificateState): boolean {
  return state !== 'pending';
}

/** States in which the applicant was never asked for the certificate in this case. */
export function isNotDemanded(state: CertificateState): boolean {
  return state === 'not_applicable' || state === 'produced';
}

export interface CircumstanceQuestion {
  code: string;
  question: string;
  defaultAnswer: boolean;
}

export interface CertificateCondition {
  id: number;
  /** null: applies always. */
  circumstanceCode: string | null;
  appliesWhen: boolean | null;
}

export interface CaseItemInput {
  name: string;
  certificateIds: number[];
  /** Certificates this item produces when handled. */
  produces: number[];
}

export type CertificatePlan =
  | { applicability: 'applies'; neededBy: string[] }
  | { applicability: 'not_applicable'; neededBy: string[]; question: string; answer: boolean }
  | { applicability: 'produced'; neededBy: string[]; producedBy: string };

export const answerLabel = (a: boolean): string => (a ? '是' : '否');

/** The answers for a case: the clerk's, the default for any question not answered. */
export function answersWithDefaults(questions: readonly CircumstanceQuestion[], given: Readonly<Record<string, boolean>>): Map<string, boolean> {
  return new Map(questions.map((q) => [q.code, Object.prototype.hasOwnProperty.call(given, q.code) ? given[q.code]! : q.defaultAnswer]));
}

/**
 * Merges the certificates of the case's items (in order), each once, and decides for each
 * whether it applies. A certificate is 由本件产生 when every item needing it comes after an
 * item of the case that produces it.
 */
export function planCertificates(
  items: readonly CaseItemInput[],
  conditions: ReadonlyMap<number, CertificateCondition>,
  questions: readonly CircumstanceQuestion[],
  answers: ReadonlyMap<string, boolean>,
): Map<number, CertificatePlan> {
  const needs = new Map<number, { neededBy: string[]; producedBy: string | null; demandedBefore: boolean }>();
  const produced = new Map<number, string>();
  for (const item of items) {
    for (const id of item.certificateIds) {
      const n = needs.get(id) ?? { neededBy: [], producedBy: null, demandedBefore: false };
      n.neededBy.push(item.name);
      const by = produced.get(id);
      if (by && !n.demandedBefore) n.producedBy = by;
      else n.demandedBefore = true;
      needs.set(id, n);
    }
    for (const id of item.produces) if (!produced.has(id)) produced.set(id, item.name);
  }
  const plans = new Map<number, CertificatePlan>();
  for (const [id, n] of needs) {
    const cond = conditions.get(id);
    const q = cond?.circumstanceCode ? questions.find((x) => x.code === cond.circumstanceCode) : undefined;
    const answer = q ? answers.get(q.code) : undefined;
    if (q && answer !== undefined && cond!.appliesWhen !== null && answer !== cond!.appliesWhen) {
      plans.set(id, { applicability: 'not_applicable', neededBy: n.neededBy, question: q.question, answer });
    } else if (!n.demandedBefore && n.producedBy) {
      plans.set(id, { applicability: 'produced', neededBy: n.neededBy, producedBy: n.producedBy });
    } else {
      plans.set(id, { applicability: 'applies', neededBy: n.neededBy });
    }
  }
  return plans;
}

/** The questions that matter for a set of certificates, in the catalog's order. */
export function questionsFor(conditions: Iterable<CertificateCondition>, questions: readonly CircumstanceQuestion[]): CircumstanceQuestion[] {
  const codes = new Set<string>();
  for (const c of conditions) if (c.circumstanceCode) codes.add(c.circumstanceCode);
  return questions.filter((q) => codes.has(q.code));
}

/** Whether a data-sharing query about this certificate asks about someone other than the applicant. */
export function isAboutSomeoneElse(subject: string): boolean {
  return subject !== APPLICANT_SELF;
}

/**
 * Which STORED states (case_certificates.state) count as established for 办结 (completion): the
 * fact is established, or it is not needed — 不涉及 and 由本件产生 are stored as `not_needed` with
 * their applicability. ONE list: the case module (electron/services/cases/) decides "every
 * certificate is resolved" for completion from it, and 办结 is refused while any certificate is in
 * another state. Acceptance is looser (isResolved above: a data-sharing query waiting or a 协查
 * waiting has someone responsible and a due date); completion is not: pending (not yet, or back
 * after a withdrawal, a "not found" answer or a denied 协查), queued and requested are unresolved.
 */
export const RESOLVED_CERTIFICATE_STATES = ['not_needed', 'satisfied', 'presented'] as const satisfies readonly StoredState[];

export type ResolvedCertificateState = (typeof RESOLVED_CERTIFICATE_STATES)[number];

export function isResolvedCertificateState(state: string): boolean {
  return (RESOLVED_CERTIFICATE_STATES as readonly string[]).includes(state);
}
