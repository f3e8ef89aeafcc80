import type { Db } from '../../store/open-store';
import type { AuditVerifyResult } from '../../../shared/ipc/contract';
import { verifyAuditChain } from './audit-chain';
import { checkAgainstCheckpoints } from './checkpoints';

/**
 * The whole audit check, for the supervisor's 校验审计链 and the CLI's audit-verify: the hash chain
 * walked entry by entry, then compared with every signed checkpoint kept outside the database
 * (checkpoints.ts), which is what finds a truncated, emptied or recomputed chain.
 */
export function verifyAudit(db: Db, dataDir: string): AuditVerifyResult {
  const chain = verifyAuditChain(db);
  const cp = checkAgainstCheckpoints(db, dataDir);
  const checkpoints = { compared: cp.compared, latestSeq: cp.latest?.seq ?? null, latestSignedAt: cp.latest?.signedAt ?? null };
  if (chain.ok && cp.finding) return { ...chain, ok: false, firstBroken: { ...cp.finding, by: 'checkpoint' }, checkpoints };
  return { ...chain, firstBroken: chain.firstBroken ? { ...chain.firstBroken, by: 'chain' } : null, checkpoints };
}
