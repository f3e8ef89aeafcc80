import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Card, Col, Form, Input, Empty, Row, Select, Space, Tag, Tooltip, Typography, Upload } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, CameraOutlined, DeleteOutlined, FilePdfOutlined, RedoOutlined, RotateRightOutlined } from '@ant-design/icons';
import { SCAN_KINDS, SCAN_KIND_LABELS, SCAN_MODES, SCAN_MODE_LABELS, type ScanKind, type ScanMode } from '../../../../shared/ipc/methods/scans';
import type { MethodOutput } from '../../../../shared/ipc/contract';
import { call, DeskCallError } from '../../ipc/client';
import { blobToBase64 } from '../../lib/files';
import { encodePage, grabFrame, loadCameraChoice, saveCameraChoice, uvcAdapter, type CameraDevice, type CameraSession } from '../../camera/camera';
import { PdfViewer, type PdfDoc } from '../../components/PdfViewer';
import { downscale, type Corners, type ScanProcessor } from './processor';
import { plainProcessor } from './plain-processor';
import { CornerOverlay } from './CornerOverlay';

type Doc = MethodOutput<'scans.getDocument'>;

/**
 * 高拍仪 capture: live preview at the camera's full resolution, the detected
 * outline drawn over it (the clerk may drag the corners), shutter → a flat,
 * cropped page stored durably before the next one, pages reordered, deleted
 * or re-taken, exported as one PDF. Image files go through the same pipeline.
 */
export function ScanPage({
  processor = plainProcessor,
  preset,
  onDone,
}: {
  processor?: ScanProcessor;
  /** Start a document at once (e.g. from intake, for a named certificate) instead of asking. */
  preset?: { kind: ScanKind; title: string; applicantId?: number; caseId?: number };
  /** Called with the finished document when the clerk presses 完成. */
  onDone?: (doc: Doc) => void;
}) {
  const { message } = App.useApp();
  const video = useRef<HTMLVideoElement>(null);
  const session = useRef<CameraSession | null>(null);
  const [devices, setDevices] = useState<CameraDevice[]>([]);
  const [choice, setChoice] = useState(loadCameraChoice);
  const [resolution, setResolution] = useState<{ width: number; height: number } | null>(null);
  const [cameraError, setCameraError] = useState<string | null>(null);
  const [corners, setCorners] = useState<Corners | null>(null);
  const [manual, setManual] = useState(false);
  const [mode, setMode] = useState<ScanMode>('color');
  const [doc, setDoc] = useState<Doc | null>(null);
  const [thumbs, setThumbs] = useState<Record<number, string>>({});
  const [retakeId, setRetakeId] = useState<number | null>(null);
  const [busy, setBusy] = useState(false);
  const [pdf, setPdf] = useState<PdfDoc | null>(null);
  const [form] = Form.useForm<{ kind: ScanKind; title: string }>();

  // Cameras: list, open the remembered one (or the first), at full resolution.
  useEffect(() => {
    void uvcAdapter.list().then((list) => {
      setDevices(list);
      if (list.length === 0) setCameraError('未检测到高拍仪或摄像头，可改用“导入图片”。');
    });
  }, []);
  useEffect(() => {
    const device = devices.find((d) => d.id === choice.deviceId) ?? devices[0];
    if (!device) return;
    let live = true;
    uvcAdapter.open(device).then(
      (s) => {
        if (!live) return s.close();
        session.current?.close();
        session.current = s;
        setResolution(s.resolution);
        setCameraError(null);
        if (video.current) {
          video.current.srcObject = s.stream;
          void video.current.play();
        }
      },
      (e: Error) => setCameraError(`无法打开摄像头：${e.message}`),
    );
    return () => {
      live = false;
    };
  }, [devices, choice.deviceId]);
  useEffect(() => () => session.current?.close(), []);
  useEffect(() => {
    if (preset) void call('scans.createDocument', preset).then((d) => setDoc(d));
    // A preset starts one document when the page opens.
  }, []);

  // Live outline on a reduced frame, a few times a second, unless the clerk has placed the corners.
  useEffect(() => {
    if (manual || !resolution) return;
    let stop = false;
    const loop = async () => {
      while (!stop && video.current && video.current.videoWidth) {
        const frame = await grabFrame(video.current, choice.rotation);
        const { small, scale } = downscale(frame, 640);
        const found = await processor.detect(small);
        if (!stop) setCorners(found ? (found.map((p) => ({ x: p.x / scale, y: p.y / scale })) as Corners) : null);
        await new Promise((r) => setTimeout(r, 120));
      }
    };
    void loop();
    return () => {
      stop = true;
    };
  }, [manual, resolution, choice.rotation, processor]);

  const loadThumbs = useCallback(async (d: Doc) => {
    const next: Record<number, string> = {};
    for (const p of d.pages) {
      const img = await call('scans.pageImage', { pageId: p.id, thumb: true });
      next[p.id] = `data:${img.mime};base64,${img.base64}`;
    }
    setThumbs(next);
  }, []);

  const show = useCallback(
    async (d: Doc) => {
      setDoc(d);
      await loadThumbs(d);
    },
    [loadThumbs],
  );

  async function store(frame: ImageData, trigger: 'manual' | 'auto' | 'import', label: string) {
    if (!doc) return;
    setBusy(true);
    try {
      const { page, blank } = await processor.process(frame, corners, mode);
      const mime: 'image/png' | 'image/jpeg' = mode === 'bw' ? 'image/png' : 'image/jpeg';
      const { bytes, thumb } = await encodePage(page, mime);
      const fields = {
        page: { mime, base64: await blobToBase64(bytes) },
        thumb: { mime: 'image/jpeg' as const, base64: await blobToBase64(thumb) },
        width: page.width,
        height: page.height,
        mode,
        ...(corners ? { corners } : {}),
        capture: { deviceLabel: label, adapter: trigger === 'import' ? 'file' : 'uvc', resolution: { width: frame.width, height: frame.height }, rotation: choice.rotation, trigger, blank },
      };
      const next = retakeId ? await call('scans.retakePage', { pageId: retakeId, ...fields }) : await call('scans.addPage', { documentId: doc.id, ...fields });
      setRetakeId(null);
      setManual(false);
      await show(next);
      if (blank) message.warning('这一页看起来是空白页，请确认。');
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : `处理失败：${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  }

  async function shutter() {
    if (!video.current?.videoWidth) return;
    const frame = await grabFrame(video.current, choice.rotation);
    const device = devices.find((d) => d.id === (choice.deviceId ?? devices[0]?.id));
    await store(frame, 'manual', device?.label ?? '摄像头');
  }

  async function importFile(file: File) {
    const bitmap = await createImageBitmap(file);
    const c = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = c.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(bitmap, 0, 0);
    const frame = ctx.getImageData(0, 0, c.width, c.height);
    const { small, scale } = downscale(frame, 1000);
    const found = await processor.detect(small);
    setCorners(found ? (found.map((p) => ({ x: p.x / scale, y: p.y / scale })) as Corners) : null);
    await store(frame, 'import', file.name);
  }

  const act = async (fn: () => Promise<Doc>) => {
    try {
      await show(await fn());
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '操作失败');
    }
  };

  const move = (index: number, delta: number) => {
    if (!doc) return;
    const ids = doc.pages.map((p) => p.id);
    const [moved] = ids.splice(index, 1);
    ids.splice(index + delta, 0, moved!);
    void act(() => call('scans.reorderPages', { documentId: doc.id, pageIds: ids }));
  };

  return (
    <Row gutter={16} data-testid="scan-page">
      <Col xs={24} xl={15}>
        <Card
          size="small"
          title="高拍仪"
          extra={
            <Space wrap>
              <Select
                style={{ width: 220 }}
                placeholder="选择摄像头"
                value={choice.deviceId ?? devices[0]?.id}
                options={devices.map((d) => ({ value: d.id, label: d.label }))}
                onChange={(deviceId: string) => {
                  const next = { ...choice, deviceId };
                  setChoice(next);
                  saveCameraChoice(next);
                }}
              />
              <Tooltip title="旋转 90°">
                <Button
                  icon={<RotateRightOutlined />}
                  onClick={() => {
                    const next = { ...choice, rotation: ((choice.rotation + 90) % 360) as 0 | 90 | 180 | 270 };
                    setChoice(next);
                    saveCameraChoice(next);
                  }}
                />
              </Tooltip>
              <Select style={{ width: 110 }} value={mode} onChange={setMode} options={SCAN_MODES.map((m) => ({ value: m, label: SCAN_MODE_LABELS[m] }))} />
            </Space>
          }
        >
          {cameraError && <Alert type="warning" showIcon title={cameraError} style={{ marginBottom: 8 }} />}
          <div style={{ position: 'relative', background: '#111', borderRadius: 6, overflow: 'hidden' }}>
            <video ref={video} muted playsInline style={{ width: '100%', display: 'block', transform: `rotate(${choice.rotation}deg)` }} data-testid="scan-video" />
            {resolution && corners && (
              <CornerOverlay
                corners={corners}
                width={choice.rotation % 180 ? resolution.height : resolution.width}
                height={choice.rotation % 180 ? resolution.width : resolution.height}
                onChange={(c) => {
                  setManual(true);
                  setCorners(c);
                }}
              />
            )}
          </div>
          <Space style={{ marginTop: 8, justifyContent: 'space-between', width: '100%' }}>
            <Typography.Text type="secondary" data-testid="scan-resolution">
              {resolution ? `分辨率 ${resolution.width}×${resolution.height}` : '未连接'} {manual && <Tag color="blue">已手动调整角点</Tag>}
            </Typography.Text>
            <Space>
              {manual && <Button onClick={() => setManual(false)}>恢复自动识别</Button>}
              <Upload accept="image/png,image/jpeg" showUploadList={false} beforeUpload={(f) => (void importFile(f), false)} disabled={!doc}>
                <Button disabled={!doc}>导入图片</Button>
              </Upload>
              <Button type="primary" size="large" icon={<CameraOutlined />} disabled={!doc || !resolution} loading={busy} onClick={() => void shutter()} data-testid="shutter">
                {retakeId ? '重拍此页' : '拍摄'}
              </Button>
            </Space>
          </Space>
        </Card>
      </Col>
      <Col xs={24} xl={9}>
        {!doc ? (
          <Card size="small" title="新建扫描件">
            <Form form={form} layout="vertical" initialValues={{ kind: 'certificate' }} onFinish={(v) => void act(() => call('scans.createDocument', v))}>
              <Form.Item name="kind" label="材料类别">
                <Select options={SCAN_KINDS.map((k) => ({ value: k, label: SCAN_KIND_LABELS[k] }))} />
              </Form.Item>
              <Form.Item name="title" label="材料名称" rules={[{ required: true, message: '请输入材料名称' }]}>
                <Input placeholder="例如：营业执照（正本）" />
              </Form.Item>
              <Button type="primary" htmlType="submit">
                开始扫描
              </Button>
            </Form>
          </Card>
        ) : (
          <Card
            size="small"
            title={`${doc.title}（${doc.pages.length} 页）`}
            extra={
              <Space>
                <Button icon={<FilePdfOutlined />} disabled={doc.pages.length === 0} onClick={() => void call('scans.exportPdf', { documentId: doc.id }).then(setPdf)} data-testid="export-pdf">
                  导出 PDF
                </Button>
                <Button
                  type={onDone ? 'primary' : 'default'}
                  disabled={onDone !== undefined && doc.pages.length === 0}
                  onClick={() => {
                    onDone?.(doc);
                    setDoc(null);
                  }}
                  data-testid="scan-done"
                >
                  完成
                </Button>
              </Space>
            }
          >
            {doc.pages.length === 0 && <Empty description="对准材料后按“拍摄”" />}
            <div data-testid="scan-pages">
              {doc.pages.map((p, i) => (
                <div key={p.id} style={{ display: 'flex', gap: 8, alignItems: 'center', padding: 6, borderBottom: '1px solid #f0f0f0', background: retakeId === p.id ? '#e6f4ff' : undefined }}>
                  {thumbs[p.id] && <img src={thumbs[p.id]} alt={`第${i + 1}页`} style={{ width: 72, height: 72, objectFit: 'contain', background: '#fafafa' }} />}
                  <div style={{ flex: 1 }}>
                    第 {i + 1} 页 <Tag>{SCAN_MODE_LABELS[p.mode as ScanMode] ?? p.mode}</Tag>
                    <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                      {p.width}×{p.height}
                    </Typography.Text>
                  </div>
                  <Space size={2}>
                    <Button size="small" icon={<ArrowUpOutlined />} disabled={i === 0} onClick={() => move(i, -1)} />
                    <Button size="small" icon={<ArrowDownOutlined />} disabled={i === doc.pages.length - 1} onClick={() => move(i, 1)} />
                    <Button size="small" icon={<RedoOutlined />} onClick={() => setRetakeId(retakeId === p.id ? null : p.id)} />
                    <Button size="small" danger icon={<DeleteOutlined />} onClick={() => void act(() => call('scans.deletePage', { pageId: p.id }))} />
                  </Space>
                </div>
              ))}
            </div>
          </Card>
        )}
      </Col>
      <PdfViewer doc={pdf} title="扫描件 PDF" onClose={() => setPdf(null)} />
    </Row>
  );
}
