/**
 * Which states of a case's certificate count as resolved (the fact is established, or it is not
 * needed). ONE list: the case module (electron/services/cases/) decides "every certificate is
 * resolved" from it, and 办结 is refused while any certificate is in another state.
 * pending (not yet, or back after a withdrawal, a "not found" answer or a denied 协查),
 * queued (a data-sharing query waiting) and requested (a 协查 waiting) are unresolved.
 */
export const RESOLVED_CERTIFICATE_STATES = ['not_needed', 'satisfied', 'presented'] as const;

export type ResolvedCertificateState = (typeof RESOLVED_CERTIFICATE_STATES)[number];

export function isResolvedCertificateState(state: string): boolean {
  return (RESOLVED_CERTIFICATE_STATES as readonly string[]).includes(state);
}
