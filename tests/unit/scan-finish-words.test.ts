import { describe, expect, it } from 'vitest';
import { scanBecame, whereItWent } from '../../renderer/src/pages/scan/scan-finish-words';
import type { MethodOutput } from '../../shared/ipc/contract';

type Finished = MethodOutput<'scans.finish'>;

const page = { id: 1 } as Finished['document']['pages'][number];
const doc = (over: Partial<Finished['document']>): Finished['document'] =>
  ({ id: 7, title: '出生医学证明', applicant: { id: 1, name: '王芳' }, case: null, pages: [page, page], ...over }) as Finished['document'];

describe('whereItWent: what 完成 on 高拍仪扫描 tells the clerk', () => {
  it('names the applicant, the case if any, the validity and how intake offers it', () => {
    expect(whereItWent({ document: doc({}), material: { id: 3, certificate: { code: 'ZM-420325-0001', name: '出生医学证明' }, validUntil: null }, alreadyFinished: false })).toEqual({
      title: '扫描件“出生医学证明”已保存（2 页）',
      content: '已保存在申请人王芳名下的材料库，受理时核对“出生医学证明”可直接选用。',
    });
    expect(
      whereItWent({
        document: doc({ title: '医疗费用原始收费票据', case: { id: 4, caseNo: '420325-ZWFW-20261206-9TBZ-0001' } }),
        material: { id: 3, certificate: { code: 'ZM-420325-0002', name: '医疗费用原始收费票据' }, validUntil: '2027-12-06' },
        alreadyFinished: false,
      }).content,
    ).toBe('已随办件 420325-ZWFW-20261206-9TBZ-0001 保存在申请人王芳名下的材料库，有效期至 2027-12-06，受理时核对“医疗费用原始收费票据”可直接选用。');
    expect(whereItWent({ document: doc({ title: '房屋租赁合同', pages: [page] }), material: { id: 5, certificate: null, validUntil: null }, alreadyFinished: false })).toEqual({
      title: '扫描件“房屋租赁合同”已保存（1 页）',
      content: '已保存在申请人王芳名下的材料库，受理时在任一证明的“核对原件”中可直接选用。',
    });
  });

  it('says so when 完成 was pressed again and nothing was filed twice', () => {
    expect(whereItWent({ document: doc({}), material: { id: 3, certificate: null, validUntil: '2031-06-30' }, alreadyFinished: true })).toEqual({
      title: '扫描件“出生医学证明”此前已保存（2 页），未重复存入',
      content: '已保存在申请人王芳名下的材料库，有效期至 2031-06-30，受理时在任一证明的“核对原件”中可直接选用。',
    });
  });
});

describe('scanBecame: the material a finished scan became', () => {
  it('names the applicant, the material, its certificate (or 未指定证明) and its validity', () => {
    expect(scanBecame({ id: 3, title: '出生医学证明', certificate: { code: 'ZM-420325-0001', name: '出生医学证明' }, validUntil: '2031-06-30', applicantName: '王芳' })).toBe(
      '已存为申请人王芳的材料“出生医学证明”（出生医学证明，有效期至 2031-06-30）',
    );
    expect(scanBecame({ id: 5, title: '房屋租赁合同', certificate: null, validUntil: null, applicantName: '赵大勇' })).toBe('已存为申请人赵大勇的材料“房屋租赁合同”（未指定证明，长期有效）');
  });
});
