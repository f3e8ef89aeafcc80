import { useEffect, useMemo, useRef } from 'react';
import { Button, Modal, Space, Typography } from 'antd';
import { DownloadOutlined, PrinterOutlined } from '@ant-design/icons';
import { base64ToBlob, downloadBase64 } from '../lib/files';

export interface PdfDoc {
  fileName: string;
  base64: string;
  sha256: string;
}

/** Shows a PDF inside the app (no new window: the shell denies those) with print and save. */
export function PdfViewer({ doc, title, onClose }: { doc: PdfDoc | null; title: string; onClose: () => void }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const url = useMemo(() => (doc ? URL.createObjectURL(base64ToBlob(doc.base64, 'application/pdf')) : null), [doc]);
  useEffect(() => () => (url ? URL.revokeObjectURL(url) : undefined), [url]);
  return (
    <Modal
      open={doc !== null}
      title={title}
      width={900}
      onCancel={onClose}
      footer={
        <Space>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            SHA-256：{doc?.sha256.slice(0, 16)}…
          </Typography.Text>
          <Button icon={<DownloadOutlined />} onClick={() => doc && downloadBase64(doc.base64, 'application/pdf', doc.fileName)}>
            保存
          </Button>
          <Button type="primary" icon={<PrinterOutlined />} onClick={() => frame.current?.contentWindow?.print()}>
            打印
          </Button>
        </Space>
      }
      destroyOnHidden
    >
      {url && <iframe ref={frame} title={title} src={url} style={{ width: '100%', height: '70vh', border: '1px solid #eee' }} data-testid="pdf-frame" />}
    </Modal>
  );
}
