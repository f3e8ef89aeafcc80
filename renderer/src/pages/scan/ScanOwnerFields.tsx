import { useEffect, useState } from 'react';
import { AutoComplete, Form, Select, Typography } from 'antd';
import type { ApplicantView, MethodOutput } from '../../../../shared/ipc/contract';
import { call } from '../../ipc/client';

type CaseSummary = MethodOutput<'intake.list'>[number];

/** What the standalone scan's form and its 完成 ask: whose document it is, and optionally which of their cases at intake. */
export interface ScanOwner {
  applicantId?: number;
  /** 0: no case (the applicant's material library only). */
  caseId?: number;
}

/** An applicant's line in the picker: the name and the masked ID number (what the clerk reads off the card). */
const applicantLabel = (a: ApplicantView) => `${a.name}（${a.idNumberMasked}）`;

/**
 * The applicant, searched the way intake's applicant step searches (`applicants.list`: a name, the
 * last four characters of the ID number, or the whole number).
 */
export function ApplicantSelect({ id, value, onChange, autoFocus }: { id?: string; value?: number; onChange?: (id: number, name: string) => void; autoFocus?: boolean }) {
  const [rows, setRows] = useState<ApplicantView[]>([]);
  const [query, setQuery] = useState('');
  useEffect(() => {
    let live = true;
    void call('applicants.list', { query: query.trim() || undefined, limit: 8 }).then((r) => live && setRows(r));
    return () => {
      live = false;
    };
  }, [query]);
  return (
    <Select
      id={id}
      showSearch
      autoFocus={autoFocus}
      value={value}
      placeholder="姓名、证件号码后4位或完整号码"
      filterOption={false}
      onSearch={setQuery}
      onChange={(id: number) => onChange?.(id, rows.find((a) => a.id === id)?.name ?? '')}
      notFoundContent={query ? '没有找到该申请人，请先在“申请人登记”中登记' : '请输入姓名或证件号码查找'}
      options={rows.map((a) => ({ value: a.id, label: applicantLabel(a) }))}
      data-testid="scan-applicant"
    />
  );
}

/** The applicant's cases still at intake (草稿), to keep the scan with one of them; 不关联办件 by default. */
export function CaseSelect({ id, applicantId, value, onChange }: { id?: string; applicantId?: number; value?: number; onChange?: (id: number) => void }) {
  const [cases, setCases] = useState<CaseSummary[]>([]);
  useEffect(() => {
    if (applicantId === undefined) return setCases([]);
    let live = true;
    void call('intake.list', { applicantId, status: 'draft', limit: 20 }).then((r) => live && setCases(r));
    return () => {
      live = false;
    };
  }, [applicantId]);
  return (
    <Select
      id={id}
      value={value ?? 0}
      onChange={onChange}
      disabled={applicantId === undefined}
      options={[
        { value: 0, label: '不关联办件（存入申请人材料库）' },
        ...cases.map((c) => ({ value: c.id, label: `${c.caseNo} · ${c.bundleName ?? c.items}` })),
      ]}
      data-testid="scan-case"
    />
  );
}

/** The certificate names to pick from: the chosen case's, else the catalog's (直接取消 never: nobody may ask for it). */
export function TitleInput({ id, caseId, value, onChange }: { id?: string; caseId?: number; value?: string; onChange?: (v: string) => void }) {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    const load = caseId
      ? call('intake.get', { caseId }).then((v) => v.certificates.filter((c) => c.method !== 'cancelled' && !c.notApplicable && !c.producedBy).map((c) => c.name))
      : call('catalog.listCertificateItems', {}).then((items) => items.filter((c) => c.method !== 'cancelled').map((c) => c.name));
    void load.then((n) => live && setNames([...new Set(n)]));
    return () => {
      live = false;
    };
  }, [caseId]);
  return (
    <AutoComplete
      id={id}
      value={value}
      onChange={onChange}
      options={names.map((n) => ({ value: n }))}
      filterOption={(input, o) => String(o?.value ?? '').includes(input.trim())}
      placeholder="选择证明名称，或输入材料名称，如：营业执照（正本）"
      data-testid="scan-title"
    />
  );
}

/** The two owner fields of a form (申请人 required, 办件 optional), with a line saying what 完成 will do. */
export function ScanOwnerFields() {
  const form = Form.useFormInstance<ScanOwner>();
  const applicantId = Form.useWatch('applicantId', form);
  return (
    <>
      <Form.Item name="applicantId" label="申请人" rules={[{ required: true, message: '请选择申请人：扫描件保存在申请人名下，受理时可直接选用' }]}>
        <ApplicantSelect />
      </Form.Item>
      <Form.Item name="caseId" label="办件（可选，仅限未受理的办件）" initialValue={0}>
        <CaseSelect applicantId={applicantId} />
      </Form.Item>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: -8 }}>
        完成后存入该申请人的材料库（一次提交，长期有效），受理时在“核对原件”中可直接选用。
      </Typography.Paragraph>
    </>
  );
}
