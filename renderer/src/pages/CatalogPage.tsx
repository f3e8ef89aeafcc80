import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Modal, Select, Space, Table, Tabs, Tag, Typography, Upload } from 'antd';
import { DownloadOutlined, PrinterOutlined, UploadOutlined } from '@ant-design/icons';
import type { CertificateItemView, ServiceItemView } from '../../../shared/ipc/contract';
import { CERTIFICATE_METHODS, METHOD_LABELS, type CertificateMethod } from '../../../shared/domain/catalog';
import {
  MAX_CATALOG_XLSX_BYTES,
  type CatalogCounts,
  type CatalogFileProblem,
  type CatalogVersionView,
} from '../../../shared/ipc/methods/catalog-io';
import { call, DeskCallError } from '../ipc/client';
import { useDesk } from '../state/desk-store';
import { MethodTag } from '../components/MethodTag';
import { PdfViewer, type PdfDoc } from '../components/PdfViewer';
import { deskTime } from '../lib/time';

function ServiceItems() {
  const [rows, setRows] = useState<ServiceItemView[]>([]);
  const [query, setQuery] = useState('');
  const [guide, setGuide] = useState<PdfDoc | null>(null);
  useEffect(() => {
    void call('catalog.listServiceItems', { query: query || undefined }).then(setRows);
  }, [query]);
  return (
    <>
      <Input.Search allowClear placeholder="按事项名称、编码、部门或拼音首字母查找" style={{ width: 360, marginBottom: 12 }} onSearch={setQuery} />
      <Table<ServiceItemView>
        rowKey="id"
        size="middle"
        className="desk-nowrap-head"
        dataSource={rows}
        pagination={{ pageSize: 12 }}
        expandable={{
          expandedRowRender: (item) => (
            <Table<CertificateItemView>
              rowKey="id"
              size="small"
              className="desk-nowrap-head"
              pagination={false}
              dataSource={item.certificates}
              columns={[
                { title: '所需证明', dataIndex: 'name', className: 'desk-nowrap' },
                { title: '处理方式', dataIndex: 'method', render: (m: CertificateMethod) => <MethodTag method={m} /> },
                { title: '适用情形', key: 'when', render: (_, c) => circumstanceText(c) },
                { title: '窗口做法', dataIndex: 'methodNote' },
              ]}
            />
          ),
        }}
        columns={[
          { title: '事项名称', dataIndex: 'name', render: (v: string, r) => (<Space direction="vertical" size={0}><span>{v}</span><Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}>{r.code}</Typography.Text></Space>) },
          { title: '实施部门', dataIndex: 'department' },
          { title: '事项类型', dataIndex: 'kind' },
          { title: '风险类别', dataIndex: 'riskClass', render: (r: string) => (r === '一般' ? r : <Tag color="red">{r}（不适用告知承诺）</Tag>) },
          { title: '承诺时限', dataIndex: 'timeLimitDays', className: 'desk-nowrap', render: (d: number) => (d === 0 ? '即办' : `${d} 个工作日`) },
          { title: '所需证明', key: 'certs', render: (_, r) => `${r.certificates.length} 项` },
          {
            title: '办结产生',
            key: 'produces',
            render: (_, r) => r.produces.map((o) => <Tag key={o.id} color="green">{o.name}</Tag>),
          },
          { title: '联办', dataIndex: 'bundles', render: (b: string[]) => b.map((n) => <Tag key={n} color="cyan">{n}</Tag>) },
          {
            title: '',
            key: 'guide',
            render: (_, r) => (
              <Button size="small" icon={<PrinterOutlined />} onClick={() => void call('catalog.guidePdf', { serviceItemId: r.id }).then(setGuide)}>
                办事指南
              </Button>
            ),
          },
        ]}
      />
      <PdfViewer doc={guide} title="办事指南" onClose={() => setGuide(null)} />
    </>
  );
}

function CertificateItems() {
  const [rows, setRows] = useState<CertificateItemView[]>([]);
  const [query, setQuery] = useState('');
  const [method, setMethod] = useState<CertificateMethod | undefined>();
  useEffect(() => {
    void call('catalog.listCertificateItems', { query: query || undefined, method }).then(setRows);
  }, [query, method]);
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Input.Search allowClear placeholder="按证明名称、编码、开具单位或拼音首字母查找" style={{ width: 360 }} onSearch={setQuery} />
        <Select
          allowClear
          placeholder="处理方式"
          style={{ width: 180 }}
          value={method}
          onChange={setMethod}
          options={CERTIFICATE_METHODS.map((m) => ({ value: m, label: METHOD_LABELS[m] }))}
        />
      </Space>
      <Table<CertificateItemView>
        rowKey="id"
        size="middle"
        className="desk-nowrap-head"
        dataSource={rows}
        pagination={{ pageSize: 12 }}
        columns={[
          { title: '证明名称', dataIndex: 'name', width: 220 },
          { title: '开具单位', dataIndex: 'issuer' },
          { title: '处理方式', dataIndex: 'method', render: (m: CertificateMethod) => <MethodTag method={m} /> },
          { title: '适用情形', key: 'when', width: 150, render: (_, c) => circumstanceText(c) },
          { title: '证明对象', dataIndex: 'subject', width: 100 },
          { title: '有效期', dataIndex: 'validityMonths', width: 90, render: (m: number | null) => (m === null ? '长期' : `${m}个月`) },
          { title: '设定依据', dataIndex: 'legalBasis', ellipsis: true },
          { title: '窗口做法', dataIndex: 'methodNote', ellipsis: true },
        ]}
      />
    </>
  );
}

/** 适用情形 in words: 所有情形, or the question and the answer under which the certificate is needed. */
function circumstanceText(c: CertificateItemView): string {
  return c.circumstance ? `${c.circumstance.question}：${c.circumstance.appliesWhen ? '是' : '否'}时需要` : '所有情形';
}

// ------------------------------------------------------------ import and export

const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Today in China time, as YYYY-MM-DD (the main side counts effective dates the same way). */
function chinaToday(): string {
  return new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
}

function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}

/** Saves bytes the main side sent as a download, through a temporary object URL and <a download>. */
function downloadBase64(fileName: string, base64: string, mime: string): void {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  const url = URL.createObjectURL(new Blob([bytes], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const countsText = (c: CatalogCounts) => `证明事项 ${c.certificates} 项、政务服务事项 ${c.serviceItems} 项、一件事 ${c.bundles} 项`;

function fileProblem(file: File): string | null {
  if (!/\.xlsx$/i.test(file.name)) return '请选择 .xlsx 格式的清单文件（Excel 工作簿）';
  if (file.size > MAX_CATALOG_XLSX_BYTES) return '文件超过 20 MB，无法导入';
  return null;
}

interface PendingImport {
  fileName: string;
  base64: string;
  label: string;
  effectiveFrom: string;
  counts: CatalogCounts;
  currentEffectiveFrom: string | null;
}

interface ImportSettings {
  label: string;
  effectiveFrom: string;
}

/** 工作表 | 行 | 列 | 问题, inside an Alert: nothing was written. */
function ImportProblems({ errors, onClose }: { errors: CatalogFileProblem[]; onClose: () => void }) {
  const rows = errors.map((e, key) => ({ ...e, key }));
  return (
    <Alert
      type="error"
      showIcon
      closable
      onClose={onClose}
      style={{ marginBottom: 16 }}
      data-testid="catalog-import-errors"
      title={`清单未导入：发现 ${errors.length} 处问题，请修改文件后重新导入。未写入任何数据。`}
      description={
        <Table
          size="small"
          style={{ marginTop: 8 }}
          dataSource={rows}
          pagination={rows.length > 10 ? { pageSize: 10, size: 'small' } : false}
          columns={[
            { title: '工作表', dataIndex: 'sheet', width: 130, render: (v: string) => v || '—' },
            { title: '行', dataIndex: 'row', width: 70, render: (v: number) => (v > 0 ? v : '—') },
            { title: '列', dataIndex: 'column', width: 150, render: (v: string) => v || '—' },
            { title: '问题', dataIndex: 'message' },
          ]}
        />
      }
    />
  );
}

/** The modal asking for the version's name and effective date, prefilled from the file. */
function ImportModal({ pending, busy, onCancel, onConfirm }: { pending: PendingImport; busy: boolean; onCancel: () => void; onConfirm: (v: ImportSettings) => void }) {
  const [form] = Form.useForm<ImportSettings>();
  const earliest = pending.currentEffectiveFrom;
  return (
    <Modal
      open
      title="导入新版本清单"
      okText="导入"
      confirmLoading={busy}
      onCancel={onCancel}
      onOk={() => void form.validateFields().then(onConfirm)}
      destroyOnHidden
    >
      <Typography.Paragraph>
        文件“{pending.fileName}”检查无误：{countsText(pending.counts)}。导入后作为新版本，自生效日期起用于新办件；已受理的办件仍按原版本办理。
      </Typography.Paragraph>
      <Form form={form} layout="vertical" initialValues={{ label: pending.label, effectiveFrom: pending.effectiveFrom }}>
        <Form.Item name="label" label="版本名称" rules={[{ required: true, whitespace: true, message: '请输入版本名称' }, { max: 100, message: '版本名称不超过100字' }]}>
          <Input />
        </Form.Item>
        <Form.Item
          name="effectiveFrom"
          label="生效日期"
          extra={earliest ? `不得早于现行版本的生效日期 ${earliest}` : undefined}
          rules={[
            { required: true, message: '请选择生效日期' },
            { pattern: /^\d{4}-\d{2}-\d{2}$/, message: '日期格式应为 YYYY-MM-DD' },
            { validator: (_, v: string) => (earliest && v && v < earliest ? Promise.reject(new Error(`不得早于 ${earliest}`)) : Promise.resolve()) },
          ]}
        >
          <Input type="date" min={earliest ?? undefined} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** Choose a file → the main side checks it → problems, or the modal → import. */
function useCatalogImport(onImported: () => void) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<CatalogFileProblem[] | null>(null);
  const [pending, setPending] = useState<PendingImport | null>(null);
  const [done, setDone] = useState<string | null>(null);

  async function choose(file: File) {
    setErrors(null);
    setDone(null);
    const problem = fileProblem(file);
    if (problem) return void message.error(problem);
    setBusy(true);
    try {
      const base64 = await readAsBase64(file);
      const check = await call('catalog.checkXlsx', { fileName: file.name, base64 });
      if (!check.ok) return setErrors(check.errors);
      setPending({
        fileName: file.name,
        base64,
        label: check.label ?? file.name.replace(/\.xlsx$/i, ''),
        effectiveFrom: check.effectiveFrom ?? chinaToday(),
        counts: check.counts,
        currentEffectiveFrom: check.currentEffectiveFrom,
      });
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '读取文件失败，请重新选择');
    } finally {
      setBusy(false);
    }
  }

  async function confirm(settings: ImportSettings) {
    if (!pending) return;
    setBusy(true);
    try {
      const result = await call('catalog.importXlsx', { fileName: pending.fileName, base64: pending.base64, ...settings });
      setPending(null);
      if (!result.ok) return setErrors(result.errors);
      setDone(`已导入新版本“${result.label}”：${countsText(result.counts)}，自 ${result.effectiveFrom} 起用于新办件。`);
      onImported();
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '导入失败');
    } finally {
      setBusy(false);
    }
  }

  const button = (
    <Upload
      accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
      showUploadList={false}
      beforeUpload={(file) => {
        void choose(file);
        return false;
      }}
    >
      <Button icon={<UploadOutlined />} loading={busy && !pending}>
        导入清单（.xlsx）
      </Button>
    </Upload>
  );
  const banner = (
    <>
      {errors && <ImportProblems errors={errors} onClose={() => setErrors(null)} />}
      {done && <Alert type="success" showIcon closable onClose={() => setDone(null)} style={{ marginBottom: 16 }} title={done} data-testid="catalog-import-done" />}
      {pending && <ImportModal pending={pending} busy={busy} onCancel={() => setPending(null)} onConfirm={(v) => void confirm(v)} />}
    </>
  );
  return { button, banner };
}

function ExportButton() {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  async function exportCatalog() {
    setBusy(true);
    try {
      const file = await call('catalog.exportXlsx', {});
      downloadBase64(file.fileName, file.base64, XLSX_MIME);
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '导出失败');
    } finally {
      setBusy(false);
    }
  }
  return (
    <Button icon={<DownloadOutlined />} loading={busy} onClick={() => void exportCatalog()}>
      导出清单
    </Button>
  );
}

function sourceText(source: string): string {
  if (source === 'demo') return '演示数据';
  // A version another desk of the hall published, received through the hub (docs/hub.md).
  const hall = /^hub:([^:]+):(.*)$/s.exec(source);
  if (hall) return `全厅发布（${hall[1]}）${sourceText(hall[2]!)}`;
  return source.startsWith('xlsx:') ? `导入：${source.slice(5)}` : source;
}

function Versions() {
  const [rows, setRows] = useState<CatalogVersionView[]>([]);
  useEffect(() => {
    void call('catalog.versions', {}).then(setRows);
  }, []);
  const today = chinaToday();
  return (
    <Table<CatalogVersionView>
      rowKey="id"
      size="middle"
      dataSource={rows}
      pagination={false}
      data-testid="catalog-versions"
      columns={[
        {
          title: '版本名称',
          dataIndex: 'label',
          render: (v: string, r) => (
            <Space>
              {v}
              {r.current && <Tag color="green">现行</Tag>}
              {!r.current && r.effectiveFrom > today && <Tag color="blue">待生效</Tag>}
            </Space>
          ),
        },
        { title: '生效日期', dataIndex: 'effectiveFrom', width: 120 },
        { title: '来源', dataIndex: 'source', render: sourceText },
        { title: '证明事项', key: 'certs', width: 90, render: (_, r) => r.counts.certificates },
        { title: '政务服务事项', key: 'items', width: 110, render: (_, r) => r.counts.serviceItems },
        { title: '一件事', key: 'bundles', width: 80, render: (_, r) => r.counts.bundles },
        { title: '导入时间', dataIndex: 'createdAt', width: 180, render: (v: string) => deskTime(v) },
        { title: '说明', dataIndex: 'note', ellipsis: true },
      ]}
    />
  );
}

export function CatalogPage() {
  const isSupervisor = useDesk((s) => s.session!.user.role) === 'supervisor';
  // Bumped after an import, so every tab reloads from the version now in force.
  const [revision, setRevision] = useState(0);
  const catalogImport = useCatalogImport(() => setRevision((r) => r + 1));
  return (
    <Card
      title="事项与证明清单"
      data-testid="catalog-page"
      extra={
        <Space>
          {isSupervisor && catalogImport.button}
          <ExportButton />
        </Space>
      }
    >
      {isSupervisor && catalogImport.banner}
      <Tabs
        items={[
          { key: 'items', label: '政务服务事项', children: <ServiceItems key={revision} /> },
          { key: 'certs', label: '证明事项清单', children: <CertificateItems key={revision} /> },
          { key: 'versions', label: '版本', children: <Versions key={revision} /> },
        ]}
      />
    </Card>
  );
}
