import { useEffect, useRef, useState } from 'react';
import { TechValue } from './TechValue';
import { Alert, Button, Modal, Space, Spin } from 'antd';
import { DownloadOutlined, PrinterOutlined } from '@ant-design/icons';
import { base64ToBytes, downloadBase64 } from '../lib/files';
import { openPdfDocument, renderPdfPage, type PdfDocument } from '../lib/pdfjs';

export interface PdfDoc {
  fileName: string;
  base64: string;
  sha256: string;
}

/** Screen pages: 860 CSS px wide, drawn at the screen's pixel density. */
const SCREEN_WIDTH = 860;
/** Printed pages: 200 dpi (PDF points are 1/72 inch). */
const PRINT_SCALE = 200 / 72;

/**
 * Shows a PDF inside the app with print and save. The pages are drawn with the bundled pdf.js
 * onto canvases of the page itself — no iframe, no browser PDF plug-in — so the preview is the same
 * under Electron's app:// (plugins off, no PDF extension) and the browser host. Printing puts the
 * pages, drawn at 200 dpi, on a print-only layer and prints the window.
 */
export function PdfViewer({ doc, title, onClose }: { doc: PdfDoc | null; title: string; onClose: () => void }) {
  const holder = useRef<HTMLDivElement>(null);
  const pdf = useRef<PdfDocument | null>(null);
  const [state, setState] = useState<{ pages: number; error: string | null; done: boolean }>({ pages: 0, error: null, done: false });
  const [printing, setPrinting] = useState(false);

  useEffect(() => {
    if (!doc) return;
    let cancelled = false;
    holder.current?.replaceChildren();
    setState({ pages: 0, error: null, done: false });
    void (async () => {
      try {
        const opened = await openPdfDocument(base64ToBytes(doc.base64));
        if (cancelled) return void opened.destroy();
        pdf.current = opened;
        setState({ pages: opened.numPages, error: null, done: false });
        const ratio = window.devicePixelRatio || 1;
        for (let n = 1; n <= opened.numPages; n++) {
          const canvas = await renderPdfPage(opened, n, (w) => (SCREEN_WIDTH * ratio) / w);
          if (cancelled) return;
          canvas.style.width = '100%';
          canvas.style.maxWidth = `${SCREEN_WIDTH}px`;
          canvas.style.height = 'auto';
          canvas.style.display = 'block';
          canvas.style.margin = '0 auto 12px';
          canvas.style.boxShadow = '0 1px 4px rgba(0,0,0,.18)';
          canvas.dataset.testid = 'pdf-page';
          canvas.dataset.page = String(n);
          holder.current?.appendChild(canvas);
        }
        setState({ pages: opened.numPages, error: null, done: true });
      } catch (e) {
        if (!cancelled) setState({ pages: 0, error: `无法显示该 PDF（${(e as Error).message}），可点“保存”后用其他程序打开。`, done: true });
      }
    })();
    return () => {
      cancelled = true;
      void pdf.current?.destroy();
      pdf.current = null;
    };
  }, [doc]);

  const print = async () => {
    const opened = pdf.current;
    if (!opened) return;
    setPrinting(true);
    try {
      await printPages(opened);
    } finally {
      setPrinting(false);
    }
  };

  return (
    <Modal
      open={doc !== null}
      title={title}
      width={920}
      onCancel={onClose}
      footer={
        <Space>
          {doc && <TechValue label="SHA-256" value={doc.sha256} />}
          <Button icon={<DownloadOutlined />} onClick={() => doc && downloadBase64(doc.base64, 'application/pdf', doc.fileName)}>
            保存
          </Button>
          <Button type="primary" icon={<PrinterOutlined />} loading={printing} disabled={!state.done || state.error !== null} onClick={() => void print()}>
            打印
          </Button>
        </Space>
      }
      destroyOnHidden
    >
      {state.error && <Alert type="error" showIcon message={state.error} />}
      <div
        data-testid="pdf-frame"
        data-pages={state.pages}
        data-rendered={state.done && !state.error ? 'true' : 'false'}
        style={{ height: '70vh', overflow: 'auto', background: '#f0f2f5', padding: 12, border: '1px solid #eee' }}
      >
        {!state.done && <Spin style={{ display: 'block', margin: '40px auto' }} />}
        <div ref={holder} />
      </div>
    </Modal>
  );
}

/** Prints the document's pages alone: a print-only layer of page images, the rest of the window hidden. */
async function printPages(doc: PdfDocument): Promise<void> {
  const layer = document.createElement('div');
  layer.id = 'pdf-print-layer';
  for (let n = 1; n <= doc.numPages; n++) {
    const canvas = await renderPdfPage(doc, n, PRINT_SCALE);
    const img = document.createElement('img');
    img.src = canvas.toDataURL('image/png');
    img.alt = '';
    layer.appendChild(img);
    await img.decode();
  }
  const style = document.createElement('style');
  style.textContent =
    '#pdf-print-layer{display:none}' +
    '@media print{@page{margin:0}body>*:not(#pdf-print-layer){display:none!important}' +
    '#pdf-print-layer{display:block}#pdf-print-layer img{display:block;width:100%;break-after:page}}';
  document.head.appendChild(style);
  document.body.appendChild(layer);
  try {
    window.print();
  } finally {
    layer.remove();
    style.remove();
  }
}
