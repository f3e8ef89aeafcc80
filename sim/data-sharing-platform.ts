/**
 * A simulated data-sharing platform (数据共享交换平台): a real HTTP server on
 * loopback that answers the desk's queries from its own records, with faults
 * switched on by command. Used by the tests and by `npm run sim:data-sharing`.
 *
 *   POST /api/query         {dataset, subject:{idNumber}, requestId}  → 200 {reference, data} | 404 {reference}
 *   POST /control/fault     {mode: 'none' | 'error500' | 'slow', delayMs?}
 *   GET  /control/log       what was asked (dataset, the subject asked about), in order
 */
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { BadRequest, listenOnLoopback, type LoopbackServer, readJson, sendJson, type Body } from './http-util';

export type Fault = { mode: 'none' } | { mode: 'error500' } | { mode: 'slow'; delayMs: number };

export interface PlatformRecord {
  dataset: string;
  idNumber: string;
  data: Record<string, unknown>;
}

export const DEMO_RECORDS: PlatformRecord[] = [
  { dataset: '人口基础信息（户籍）', idNumber: '42032519880623004X', data: { 姓名: '王芳', 户籍地址: '湖北省十堰市房县城关镇', 与户主关系: '户主' } },
  { dataset: '婚姻登记信息', idNumber: '42032519880623004X', data: { 婚姻状况: '已婚', 登记机关: '房县民政局', 登记日期: '2014-05-20' } },
  { dataset: '人口基础信息（户籍）', idNumber: '420325199208154328', data: { 姓名: '刘晓梅', 户籍地址: '湖北省十堰市房县城关镇西关路18号', 与户主关系: '户主' } },
  { dataset: '婚姻登记信息', idNumber: '420325199208154328', data: { 婚姻状况: '已婚', 登记机关: '房县民政局', 登记日期: '2018-10-01' } },
  // 王芳's newborn: the child's own record, asked about by the child's ID number (证明对象 子女).
  { dataset: '儿童预防接种信息', idNumber: '420325202611010011', data: { 儿童姓名: '李小宝', 已接种: '乙肝疫苗第1剂、卡介苗', 接种单位: '房县妇幼保健院' } },
];

export interface AskedQuery {
  requestId: string;
  dataset: string;
  /** Whom the desk asked about, as received. */
  subject: { idType: string; idNumber: string; name: string };
  at: string;
}

export interface RunningPlatform extends LoopbackServer {
  setFault(f: Fault): void;
  log(): AskedQuery[];
}

/** Matches records whatever the dataset's exact wording (e.g. '婚姻登记信息' vs '婚姻状况'). */
function matches(record: PlatformRecord, dataset: string): boolean {
  return record.dataset === dataset || record.dataset.slice(0, 2) === dataset.slice(0, 2);
}

export function startDataSharingPlatform(opts: { port?: number; records?: PlatformRecord[] } = {}): Promise<RunningPlatform> {
  const records = opts.records ?? DEMO_RECORDS;
  let fault: Fault = { mode: 'none' };
  const asked: AskedQuery[] = [];

  const server = http.createServer((req, res) => {
    void (async () => {
      const reply = (status: number, body: unknown) => sendJson(res, status, body);
      let body: Body;
      try {
        body = await readJson(req);
      } catch (e) {
        return reply(400, { message: e instanceof BadRequest ? e.message : 'bad request' });
      }
      if (req.url === '/control/fault' && req.method === 'POST') {
        fault = body as Fault;
        return reply(200, { ok: true });
      }
      if (req.url === '/control/log') return reply(200, asked);
      if (req.url !== '/api/query' || req.method !== 'POST') return reply(404, { message: 'no such endpoint' });
      const answer = () => {
        if (fault.mode === 'error500') return reply(500, { message: 'platform error (simulated)' });
        const dataset = String(body.dataset ?? '');
        const subject = (body.subject ?? {}) as { idType?: unknown; idNumber?: unknown; name?: unknown };
        const idNumber = String(subject.idNumber ?? '');
        asked.push({
          requestId: String(body.requestId ?? ''),
          dataset,
          subject: { idType: String(subject.idType ?? ''), idNumber, name: String(subject.name ?? '') },
          at: new Date().toISOString(),
        });
        const reference = `GX${Date.now().toString(36).toUpperCase()}${randomBytes(2).toString('hex').toUpperCase()}`;
        const hit = records.find((r) => r.idNumber === idNumber && matches(r, dataset));
        return hit ? reply(200, { reference, data: hit.data }) : reply(404, { reference });
      };
      if (fault.mode === 'slow') setTimeout(answer, fault.delayMs);
      else answer();
    })();
  });

  return listenOnLoopback(server, opts.port).then((s) => ({ ...s, setFault: (f: Fault) => (fault = f), log: () => asked }));
}

// Run as a process: `npx tsx sim/data-sharing-platform.ts [port]`.
if (process.argv[1] && /data-sharing-platform\.ts$/.test(process.argv[1])) {
  void startDataSharingPlatform({ port: Number(process.argv[2] ?? 47700) }).then((p) => {
    process.stdout.write(`模拟数据共享平台已启动：${p.url}（在工作台设置 DESK_DATA_SHARING_URL=${p.url}）\n`);
  });
}
