import type { z } from 'zod';
import type { SyncConfig } from '../services/sync/targets-config';

/**
 * The demo hall's sync targets, written to `<dataDir>/sync-targets.json` on a
 * fresh demo store (docs/sync.md explains the format). The http targets point
 * at the vertical-system simulator's demo ports (`npm run sim`); without it
 * they are simply unreachable and cases queue.
 */
const caseFields = [
  { name: 'externalRef', label: '办件编号', from: 'caseNo' },
  { name: 'hallCode', label: '受理大厅', from: 'hall.code' },
  { name: 'applicant.name', label: '申请人', from: 'applicant.name' },
  { name: 'applicant.idType', label: '证件类型', from: 'applicant.idType' },
  { name: 'applicant.idNumber', label: '证件号码', from: 'applicant.idNumber' },
  { name: 'applicant.phone', label: '联系电话', from: 'applicant.phone' },
  { name: 'items', label: '办理事项', from: 'items[].name' },
  { name: 'acceptedAt', label: '受理时间', from: 'acceptedAt' },
  { name: 'acceptedBy', label: '受理人', from: 'acceptedBy' },
  { name: 'certificates', label: '证明材料', from: 'certificates' },
];

export const DEMO_SYNC_CONFIG: z.input<typeof SyncConfig> = {
  version: 1,
  targets: [
    {
      id: 'zwfw',
      name: '湖北省一体化政务服务平台（办件汇聚）',
      kind: 'http',
      baseUrl: 'http://127.0.0.1:47810',
      auth: { header: 'Authorization', value: 'Bearer demo-zwfw' },
      idempotency: 'key',
      concurrency: 4,
      sendFiles: true,
      fields: caseFields,
    },
    {
      id: 'wsjk',
      name: '省卫生健康业务系统（省垂）',
      kind: 'http',
      baseUrl: 'http://127.0.0.1:47811',
      auth: { header: 'Authorization', value: 'Bearer demo-wsjk' },
      idempotency: 'key',
      appliesTo: { departments: ['县卫生健康局'] },
      fields: caseFields,
    },
    {
      id: 'scjg',
      name: '市场监管登记注册系统（国垂）',
      kind: 'http',
      baseUrl: 'http://127.0.0.1:47812',
      auth: { header: 'Authorization', value: 'Bearer demo-scjg' },
      idempotency: 'none',
      appliesTo: { departments: ['县市场监督管理局'] },
      sendFiles: false,
      fields: [
        { name: 'externalRef', label: '外部编号', from: 'caseNo' },
        { name: 'sqr', label: '申请人', from: 'applicant.name' },
        { name: 'zjhm', label: '证件号码', from: 'applicant.idNumber' },
        { name: 'lxdh', label: '联系电话', from: 'applicant.phone' },
        { name: 'sxmc', label: '事项名称', from: 'items[].name', join: '、' },
        { name: 'slrq', label: '受理日期', from: 'acceptedAt', format: 'date' },
      ],
    },
    {
      id: 'mzyw',
      name: '民政业务系统（无接口，人工补录）',
      kind: 'manual',
      screen: '社会救助申请登记',
      appliesTo: { departments: ['县民政局'] },
      fields: [
        { name: 'sqr', label: '申请人姓名', from: 'applicant.name' },
        { name: 'zjhm', label: '身份证号', from: 'applicant.idNumber' },
        { name: 'lxdh', label: '联系电话', from: 'applicant.phone' },
        { name: 'sqsx', label: '申请事项', from: 'items[].name', join: '、' },
        { name: 'slbh', label: '受理编号', from: 'caseNo', hint: '填入“备注”栏' },
        { name: 'slrq', label: '受理日期', from: 'acceptedAt', format: 'date' },
        { name: 'slr', label: '经办人', from: 'acceptedBy' },
      ],
    },
  ],
};
