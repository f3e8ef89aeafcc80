import { afterAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../e2e/support/host';
import { tempDir } from '../helpers/temp';
import { signaturePng } from '../helpers/png';

/**
 * Two assistants take the same task at the same moment, each in their own session, the requests
 * fired together at the desk process: the conditional UPDATE lets exactly one win, and the other
 * is told who holds it. (Two desk processes on one data folder are no longer possible: the second
 * is refused by the folder's lock, tests/integration/data-dir-lock.test.ts.)
 */
const hosts: RunningHost[] = [];
afterAll(async () => {
  await Promise.all(hosts.map((h) => h.kill()));
});

type Envelope<T> = { ok: true; value: T } | { ok: false; error: { code: string; message: string } };

async function rpc<T>(h: RunningHost, method: string, input: unknown, session?: string): Promise<Envelope<T>> {
  const res = await fetch(`${h.origin}/api/rpc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${h.token}` },
    body: JSON.stringify({ id: method, method, input, ...(session ? { session } : {}) }),
  });
  return (await res.json()) as Envelope<T>;
}
async function ok<T>(h: RunningHost, method: string, input: unknown, session?: string): Promise<T> {
  const r = await rpc<T>(h, method, input, session);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value;
}
const signIn = async (h: RunningHost, username: string, password = 'Desk@2026') => (await ok<{ token: string }>(h, 'auth.signIn', { username, password })).token;

describe('taking a task for field work', () => {
  it('two assistants, the same task at once: one wins every time, the other is told the holder', async () => {
    const dataDir = tempDir();
    const a = await startHost({ dataDir, port: 0 });
    hosts.push(a);
    const admin = await signIn(a, 'admin');
    await ok(a, 'users.create', { username: 'lisi', displayName: '李思', role: 'assistant', password: 'Field@2026x' }, admin);
    const b = a;
    const clerk = await signIn(a, 'zhangmin');
    const chen = await signIn(a, 'chenjing');
    const lisi = await signIn(b, 'lisi', 'Field@2026x');

    const items = await ok<{ id: number; name: string }[]>(a, 'catalog.listServiceItems', {}, clerk);
    const item = items.find((i) => i.name === '托育机构备案')!;
    const applicant = (await ok<{ id: number; name: string }[]>(a, 'applicants.list', { query: '王芳', limit: 5 }, clerk))[0]!;
    const sig = signaturePng().toString('base64');
    const rounds = 6;
    const wins = { chen: 0, lisi: 0 };
    for (let i = 0; i < rounds; i++) {
      const v = await ok<{ id: number; certificates: { certificateItemId: number; name: string }[] }>(a, 'intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, clerk);
      const c = v.certificates.find((x) => x.name === '无犯罪记录证明')!;
      await ok(a, 'intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, clerk);
      await ok(a, 'intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: sig }, clerk);
      const board = await ok<{ tasks: { id: number; caseId: number }[] }>(b, 'verification.board', { states: ['unassigned'] }, lisi);
      const taskId = board.tasks.find((t) => t.caseId === v.id)!.id;
      // Alternate who fires first so neither side always has the head start.
      const fire = [() => rpc<{ task: { checkedOutBy: { name: string } } }>(a, 'verification.checkout', { taskId }, chen), () => rpc<{ task: { checkedOutBy: { name: string } } }>(b, 'verification.checkout', { taskId }, lisi)];
      const [r1, r2] = await Promise.all(i % 2 ? fire.reverse().map((f) => f()) : fire.map((f) => f()));
      const results = [r1!, r2!];
      const won = results.filter((r) => r.ok);
      const lost = results.filter((r) => !r.ok);
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const holder = (won[0] as { ok: true; value: { task: { checkedOutBy: { name: string } } } }).value.task.checkedOutBy.name;
      const refusal = (lost[0] as { ok: false; error: { code: string; message: string } }).error;
      expect(refusal.code).toBe('CONFLICT');
      expect(refusal.message).toContain(holder);
      if (holder === '陈静') wins.chen++;
      else wins.lisi++;
      const after = await ok<{ checkedOutBy: { name: string } }>(a, 'verification.get', { taskId }, admin);
      expect(after.checkedOutBy.name).toBe(holder);
    }
    expect(wins.chen + wins.lisi).toBe(rounds);
    console.log(`race winners over ${rounds} rounds: 陈静 ${wins.chen}, 李思 ${wins.lisi}`);
  }, 180_000);
});
