/**
 * The home page is about the day's work, by role (issue 16): a clerk sees their cases today and
 * what they wait for (data-sharing queries, 协查 replies); a supervisor today's figures of this desk
 * and the overdue work; an assistant their verification tasks.
 */
import { z } from 'zod';
import { Empty, method } from '../method';
import { TaskView } from './verification';

export const HomeCaseLine = z.object({
  id: z.number().int(),
  caseNo: z.string(),
  applicantName: z.string(),
  /** The bundle's name, or the items' names joined. */
  subject: z.string(),
  status: z.string(),
  statusLabel: z.string(),
  /** Accepted at, or started at for a draft. */
  at: z.string(),
});

export const homeMethods = {
  'home.work': method({
    access: 'session',
    passive: true,
    input: Empty,
    output: z.object({
      /** Cases this user started or accepted today (China time), newest first, at most 8; and how many in all. */
      myCasesToday: z.object({ total: z.number().int(), accepted: z.number().int(), drafts: z.number().int(), lines: z.array(HomeCaseLine) }),
      /** Data-sharing queries still queued on the cases this user started (a supervisor: on every case of this desk). */
      waitingQueries: z.number().int(),
      /** 协查 requests of the same cases: still open, of which overdue; replies received today. */
      assistance: z.object({ open: z.number().int(), overdue: z.number().int(), repliedToday: z.number().int() }),
      /** Verification tasks: for an assistant, theirs (open, due first, at most 8); counts for everyone who may see the board. */
      tasks: z.object({ mine: z.array(TaskView), myOpen: z.number().int(), open: z.number().int(), overdue: z.number().int(), unassigned: z.number().int() }),
      /** This desk today (a supervisor's figures): cases accepted, commitments signed, certificates the applicants did not have to bring. */
      deskToday: z.object({ accepted: z.number().int(), commitments: z.number().int(), avoided: z.number().int() }),
    }),
  }),
};
