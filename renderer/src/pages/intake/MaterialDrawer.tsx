import { useEffect, useState } from 'react';
import { Alert, App, Button, DatePicker, Drawer, Form, Input, List, Modal, Space, Tag, Typography, Upload } from 'antd';
import { CameraOutlined, InboxOutlined } from '@ant-design/icons';
import { ScanPage } from '../scan/ScanPage';
import type { UploadFile } from 'antd';
import type { CaseCertificateView, CaseView, MaterialView } from '../../../../shared/ipc/methods/intake';
import { call, DeskCallError } from '../../ipc/client';
import { blobToBase64 } from '../../lib/files';

/**
 * 保留 (and certificates the applicant chose to present): reuse a still-valid
 * page from the material library (一次提交，长期有效) or check the original
 * and add its pages (image files until the document camera arrives).
 */
export function MaterialDrawer({
  view,
  cert,
  onClose,
  onChange,
  onDone,
}: {
  view: CaseView;
  cert: CaseCertificateView | null;
  onClose: () => void;
  onChange: (v: CaseView) => void;
  /** After the original is kept: the caller opens the next certificate waiting, or closes. */
  onDone?: (v: CaseView) => void;
}) {
  const { message } = App.useApp();
  const [library, setLibrary] = useState<MaterialView[]>([]);
  const [files, setFiles] = useState<UploadFile[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [scanning, setScanning] = useState(false);
  const [form] = Form.useForm<{ title: string; validUntil?: { format(f: string): string } }>();

  useEffect(() => {
    if (!cert) return;
    setFiles([]);
    setError(null);
    form.setFieldsValue({ title: cert.name });
    void call('materials.forApplicant', { applicantId: view.applicant.id, caseId: view.id }).then(setLibrary);
  }, [cert, view.applicant.id, form]);

  if (!cert) return null;
  // Only what is still within its certificate's validity (有效期) is offered for reuse.
  const sameCertificate = library.filter((m) => m.certificateCode === cert.code);
  // And what was kept for no particular certificate (a scan from 高拍仪扫描 whose name is not in the catalog): the clerk judges it.
  const offered = [...sameCertificate.filter((m) => m.valid), ...library.filter((m) => m.certificateCode === null && m.valid)];
  const expired = sameCertificate.length - offered.length;

  async function run(action: () => Promise<CaseView>, ok: string) {
    setBusy(true);
    setError(null);
    try {
      const v = await action();
      onChange(v);
      message.success(ok);
      if (onDone) onDone(v);
      else onClose();
    } catch (e) {
      setError(e instanceof DeskCallError ? e.message : '操作失败');
    } finally {
      setBusy(false);
    }
  }

  /** Pages from the document camera: stored by the scan, then kept as this certificate's material (same files, content-addressed). */
  async function addScanned(d: { id: number; title: string; pages: { id: number; mode: string }[] }) {
    setScanning(false);
    const pages = await Promise.all(
      d.pages.map(async (p) => {
        const img = await call('scans.pageImage', { pageId: p.id });
        return { mime: img.mime as 'image/png' | 'image/jpeg', base64: img.base64 };
      }),
    );
    const v = form.getFieldsValue();
    await run(
      () =>
        call('intake.addMaterial', {
          caseId: view.id,
          certificateItemId: cert!.certificateItemId,
          title: v.title || d.title,
          ...(v.validUntil ? { validUntil: v.validUntil.format('YYYY-MM-DD') } : {}),
          pages,
        }),
      `已拍摄 ${pages.length} 页并留存入库`,
    );
  }

  async function add() {
    const v = await form.validateFields();
    if (files.length === 0) return setError('请至少导入一页图像。');
    const pages = await Promise.all(
      files.map(async (f) => ({ mime: (f.type === 'image/png' ? 'image/png' : 'image/jpeg') as 'image/png' | 'image/jpeg', base64: await blobToBase64(f.originFileObj as Blob) })),
    );
    await run(
      () =>
        call('intake.addMaterial', {
          caseId: view.id,
          certificateItemId: cert!.certificateItemId,
          title: v.title,
          ...(v.validUntil ? { validUntil: v.validUntil.format('YYYY-MM-DD') } : {}),
          pages,
        }),
      '已核对原件并留存，材料已入库',
    );
  }

  return (
    <Drawer open width={640} title={`核对原件：${cert.name}`} onClose={onClose} destroyOnHidden data-testid="material-drawer">
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      <Typography.Title level={5}>材料库中的有效材料</Typography.Title>
      {expired > 0 && (
        <Typography.Paragraph type="secondary" data-testid="expired-materials">
          另有 {expired} 份已超过有效期{cert.validityMonths !== null ? `（${cert.validityMonths}个月）` : ''}，不再复用，请核对新的原件。
        </Typography.Paragraph>
      )}
      <List
        bordered
        size="small"
        dataSource={offered}
        locale={{ emptyText: '材料库中没有该申请人的这项材料' }}
        renderItem={(m) => (
          <List.Item
            actions={[
              <Button key="use" type="primary" size="small" disabled={busy} onClick={() => void run(() => call('intake.attachMaterial', { caseId: view.id, certificateItemId: cert.certificateItemId, materialId: m.id }), '已复用材料库中的材料')}>
                复用
              </Button>,
            ]}
          >
            <Space direction="vertical" size={0}>
              <span>
                {m.title} <Tag color="green">有效</Tag> <Tag>可信等级 {m.trustGrade}</Tag>
                {m.certificateCode === null && <Tag color="blue">未指定证明，请核对是否为本证明</Tag>}
              </span>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {m.trustNote} · {m.pages} 页 · 有效期至 {m.validUntil ?? '长期'} {m.sourceCaseNo ? `· 来自办件 ${m.sourceCaseNo}` : ''} {m.fromWindow ? `· 由${m.fromWindow}核对（全厅材料库）` : ''}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      <Typography.Title level={5} style={{ marginTop: 20 }}>
        核对原件并留存
      </Typography.Title>
      <Form form={form} layout="vertical">
        <Form.Item name="title" label="材料名称" rules={[{ required: true, message: '请输入材料名称' }]}>
          <Input />
        </Form.Item>
        <Form.Item name="validUntil" label="有效期至（长期有效可不填）">
          <DatePicker style={{ width: '100%' }} />
        </Form.Item>
        <Upload.Dragger
          multiple
          accept="image/png,image/jpeg"
          fileList={files}
          beforeUpload={() => false}
          onChange={({ fileList }) => setFiles(fileList)}
          data-testid="material-upload"
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p>点击或拖入原件的照片/扫描图像（JPEG、PNG）</p>
          <Typography.Text type="secondary">高拍仪拍摄将在设备接入后直接进入此处</Typography.Text>
        </Upload.Dragger>
        <Space style={{ marginTop: 12 }}>
          <Button type="primary" loading={busy} onClick={() => void add()}>
            核对无误，留存并入库
          </Button>
          <Button icon={<CameraOutlined />} onClick={() => setScanning(true)} data-testid="scan-original">
            高拍仪拍摄原件
          </Button>
        </Space>
      </Form>
      <Modal open={scanning} width={1200} title={`高拍仪拍摄：${cert.name}`} footer={null} onCancel={() => setScanning(false)} destroyOnHidden>
        <ScanPage preset={{ kind: 'certificate', title: cert.name, applicantId: view.applicant.id, caseId: view.id }} onDone={(d) => void addScanned(d)} />
      </Modal>
    </Drawer>
  );
}
