import { useCallback, useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Card, Col, DatePicker, Form, Empty, List, Row, Select, Space, Switch, Tag, Tooltip, Typography, Upload } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, CameraOutlined, DeleteOutlined, FilePdfOutlined, RedoOutlined, RotateRightOutlined } from '@ant-design/icons';
import { SCAN_KINDS, SCAN_KIND_LABELS, SCAN_MODES, SCAN_MODE_LABELS, type ScanKind, type ScanMode } from '../../../../shared/ipc/methods/scans';
import type { MethodOutput } from '../../../../shared/ipc/contract';
import { call, DeskCallError } from '../../ipc/client';
import { blobToBase64 } from '../../lib/files';
import { encodePage, grabFrame, grabPreview, loadCameraChoice, saveCameraChoice, uvcAdapter, type CameraAdapter, type CameraDevice, type CameraSession } from '../../camera/camera';
import { vendorAdapter } from '../../camera/vendor-adapter';
import { PdfViewer, type PdfDoc } from '../../components/PdfViewer';
import type { Corners, ScanProcessor } from './processor';
import { plainProcessor } from './plain-processor';
import { sharedOpencvProcessor } from './opencv-processor';
import { CornerOverlay } from './CornerOverlay';
import { openPdf, PdfImportError } from '../../scan/pdf-pages';
import { AutoCaptureWatch, loadAutoCapture, saveAutoCapture } from './auto-capture';
import { ApplicantSelect, CaseSelect, ScanOwnerFields, TitleInput, type ScanOwner } from './ScanOwnerFields';
import { scanBecameParts, whereItWent } from './scan-finish-words';
import { deskTime } from '../../lib/time';

type Doc = MethodOutput<'scans.getDocument'>;
type Unattached = MethodOutput<'scans.listDocuments'>[number];

/** The standalone form: whose document, which case (0: none), what it is, and until when it may be reused. */
interface NewScan extends ScanOwner {
  kind: ScanKind;
  title: string;
  validUntil?: { format(f: string): string };
}

/** A phrase kept on one line (a narrow column breaks between phrases, not inside a name or a date). */
const NO_BREAK = { whiteSpace: 'nowrap', display: 'inline-block' } as const;

/** UVC cameras (getUserMedia) and cameras behind a vendor's local service; another adapter is one more entry. */
const ADAPTERS: CameraAdapter[] = [uvcAdapter, vendorAdapter];
/** The live overlay's pace: 15 detections a second. */
const OVERLAY_INTERVAL_MS = 1000 / 15;

/**
 * 高拍仪 capture: live preview at the camera's full resolution, the detected
 * outline drawn over it (the clerk may drag the corners), shutter → a flat,
 * cropped page stored durably before the next one, pages reordered, deleted
 * or re-taken, exported as one PDF. Image files go through the same pipeline.
 */
export function ScanPage({
  processor: given,
  preset,
  onDone,
}: {
  /** Image processing; by default the OpenCV worker (the plain processor only if OpenCV cannot load). */
  processor?: ScanProcessor;
  /** Start a document at once (e.g. from intake, for a named certificate) instead of asking. */
  preset?: { kind: ScanKind; title: string; applicantId?: number; caseId?: number };
  /** Called with the finished document when the clerk presses 完成. */
  onDone?: (doc: Doc) => void;
}) {
  const { message, modal } = App.useApp();
  const [processor, setProcessor] = useState<ScanProcessor | null>(given ?? null);
  const [engineError, setEngineError] = useState<string | null>(null);
  // Who warps in the worker: 'wasm' (the WebAssembly kernels), 'fallback' (the canvas or OpenCV: slower, same page).
  const [warpKernels, setWarpKernels] = useState<'wasm' | 'fallback' | null>(null);
  const [autoCapture, setAutoCapture] = useState(loadAutoCapture);
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
  const [form] = Form.useForm<NewScan>();
  const formCaseId = Form.useWatch('caseId', form);
  // The owner chosen for a scan that has none yet (the 有效期 typed at the start is kept with the scan: doc.validUntil).
  const [attach, setAttach] = useState<ScanOwner>({});
  const [unattached, setUnattached] = useState<Unattached[]>([]);
  const [unfinished, setUnfinished] = useState<Unattached[]>([]);
  const [recent, setRecent] = useState<Unattached[]>([]);
  const [finishing, setFinishing] = useState(false);

  // Cameras: list, open the remembered one (or the first), at full resolution.
  useEffect(() => {
    void Promise.all(ADAPTERS.map((a) => a.list().catch(() => []))).then((lists) => {
      const list = lists.flat();
      setDevices(list);
      if (list.length === 0) setCameraError('未检测到高拍仪或摄像头：请在右侧选择申请人、填写材料名称并点“开始扫描”，然后用“导入图片/PDF”。');
    });
  }, []);
  useEffect(() => {
    const device = devices.find((d) => d.id === choice.deviceId) ?? devices[0];
    if (!device) return;
    let live = true;
    (ADAPTERS.find((a) => a.name === device.adapter) ?? uvcAdapter).open(device, {
      // Unplugged or service gone mid-session: say so, and no shutter on a dead preview.
      onFailure: (m) => {
        if (!live) return;
        setCameraError(m);
        setResolution(null);
      },
    }).then(
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

  // OpenCV in its worker; the plain processor (no outline detection) only when it cannot load.
  useEffect(() => {
    if (given) return setProcessor(given);
    const cv = sharedOpencvProcessor();
    let live = true;
    cv.ready().then(
      (info) => {
        if (!live) return;
        if (info.wasmWarp) console.warn(`scan: the WebAssembly kernels cannot run in the worker (${info.wasmWarp}); pages are warped by the canvas or OpenCV`);
        setWarpKernels(info.wasmWarp ? 'fallback' : 'wasm');
        setProcessor(cv);
      },
      (e: Error) => {
        if (!live) return;
        console.error(`scan: OpenCV failed to load, falling back to plain processing: ${e.message}`);
        setEngineError(e.message);
        setProcessor(plainProcessor);
      },
    );
    return () => {
      live = false;
    };
  }, [given]);
  useEffect(() => {
    if (preset) void call('scans.createDocument', preset).then((d) => setDoc(d));
    // A preset starts one document when the page opens.
  }, []);
  // Scans that belong to nobody (scanned before 完成 asked for an applicant): listed to be attached.
  useEffect(() => {
    if (preset || doc) return;
    let live = true;
    void call('scans.listDocuments', { unattached: true, limit: 20 }).then((r) => live && setUnattached(r));
    // Scans started for an applicant and left before 完成 (a reload, a closed tab): listed to be resumed
    // (not those whose pages intake already kept as a certificate's material).
    void call('scans.listDocuments', { status: 'open', limit: 50 }).then((r) => live && setUnfinished(r.filter((d) => d.applicantId !== null && d.pages > 0 && !d.inLibrary)));
    // Scans finished here lately, each with the material it became (a reload after 完成 still shows where it went).
    void call('scans.listDocuments', { status: 'done', limit: 20 }).then((r) => live && setRecent(r.filter((d) => d.material).slice(0, 5)));
    return () => {
      live = false;
    };
  }, [preset, doc]);

  // Auto-capture reads these from the detection loop without restarting it.
  const autoRef = useRef({ on: autoCapture, ready: false, capture: () => Promise.resolve() });
  autoRef.current.on = autoCapture;
  autoRef.current.ready = !!doc && !busy && retakeId === null;

  // Live outline on a 640 px frame, 15 times a second (never faster, so the rest of the core stays
  // free), unless the clerk has placed the corners. bench/scan.bench.ts measures it.
  useEffect(() => {
    if (manual || !resolution || !processor) return;
    let stop = false;
    const watch = new AutoCaptureWatch();
    const loop = async () => {
      while (!stop && video.current && video.current.videoWidth) {
        const started = performance.now();
        try {
          // Drawn straight at 640 px: reading back the whole 5 MP frame and shrinking it cost ~10× the detection.
          const { small, scale, width, height } = await grabPreview(video.current, choice.rotation, 640);
          const found = await processor.detect(small);
          // Corners are kept in capture coordinates: a vendor camera's preview is smaller than its stills (k > 1).
          const k = (choice.rotation % 180 ? resolution.height : resolution.width) / width;
          const full = found ? (found.map((p) => ({ x: ((p.x + 0.5) / scale) * k - 0.5, y: ((p.y + 0.5) / scale) * k - 0.5 })) as Corners) : null;
          if (stop) break;
          setCorners(full);
          const a = autoRef.current;
          if (a.on && a.ready && watch.update(full, width * k, height * k, performance.now())) void a.capture();
        } catch (e) {
          console.error(`scan: live detection failed: ${(e as Error).message}`);
          await new Promise((r) => setTimeout(r, 1000));
        }
        // On a busy machine, rest at least half as long as the detection took: the overlay slows down, the shutter does not.
        const took = performance.now() - started;
        await new Promise((r) => setTimeout(r, Math.max(OVERLAY_INTERVAL_MS - took, took / 2)));
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

  /** Asks before a (nearly) blank page is kept. */
  const keepBlank = () =>
    new Promise<boolean>((resolve) => {
      modal.confirm({
        title: '这一页看起来是空白页',
        content: '未检测到文字或印章。如确为空白页（例如证件背面无内容）可保留，否则请重新放置材料后再拍。',
        okText: '仍然保留',
        cancelText: '不保留',
        onOk: () => resolve(true),
        onCancel: () => resolve(false),
      });
    });

  /**
   * Processes a frame and stores the page. `outline`: the corners to warp with (the live
   * overlay's, refined on this frame, or the clerk's, used as they are), or null to detect them
   * on this frame.
   */
  async function store(frame: ImageData, trigger: 'manual' | 'auto' | 'import', label: string, outline: Corners | null, dragged: boolean, replace = retakeId) {
    if (!doc || !processor) return;
    setBusy(true);
    try {
      const resolution = { width: frame.width, height: frame.height }; // the frame's pixels go to the worker
      const mime: 'image/png' | 'image/jpeg' = mode === 'bw' ? 'image/png' : 'image/jpeg';
      const page = await processor.process(frame, outline, mode, { refineCorners: !dragged, encode: mime });
      const { blank, corners: used } = page;
      if (blank && !(await keepBlank())) return;
      const { bytes, thumb } = page.encoded ?? (await encodePage(page.page!, mime));
      const fields = {
        page: { mime, base64: await blobToBase64(bytes) },
        thumb: { mime: 'image/jpeg' as const, base64: await blobToBase64(thumb) },
        width: page.width,
        height: page.height,
        mode,
        ...(used ? { corners: used } : {}),
        capture: { deviceLabel: label, adapter: trigger === 'import' ? 'file' : (currentDevice()?.adapter ?? 'uvc'), resolution, rotation: trigger === 'import' ? 0 : choice.rotation, trigger, blank },
      };
      const next = replace ? await call('scans.retakePage', { pageId: replace, ...fields }) : await call('scans.addPage', { documentId: doc.id, ...fields });
      setRetakeId(null);
      setManual(false);
      await show(next);
      // A camera shot without an outline keeps the whole frame: say so (an imported file is often flat already).
      if (!used && trigger !== 'import') message.info('未检测到材料边缘，已保存整幅画面。如需裁切，请将材料完整放入画面后重拍本页。');
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : `处理失败：${(e as Error).message}`);
    } finally {
      setBusy(false);
    }
  }

  const currentDevice = () => devices.find((d) => d.id === (choice.deviceId ?? devices[0]?.id));

  async function shutter(trigger: 'manual' | 'auto' = 'manual') {
    if (!video.current?.videoWidth) return;
    let frame: ImageData;
    try {
      // A vendor camera takes its own full-resolution still; otherwise the current video frame.
      frame = session.current?.capture ? await session.current.capture(choice.rotation) : await grabFrame(video.current, choice.rotation);
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : `拍摄失败：${(e as Error).message}`);
      return;
    }
    await store(frame, trigger, currentDevice()?.label ?? '摄像头', corners, manual);
  }
  autoRef.current.capture = () => shutter('auto');

  /** Image files and PDFs (every page) go through the same pipeline as a camera frame. */
  async function importFile(file: File) {
    if (file.type === 'application/pdf' || /\.pdf$/i.test(file.name)) return importPdf(file);
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(file);
    } catch {
      message.error(`无法读取图片“${file.name}”，请确认是完整的 JPG 或 PNG 文件。`);
      return;
    }
    const c = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = c.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(bitmap, 0, 0);
    bitmap.close();
    await store(ctx.getImageData(0, 0, c.width, c.height), 'import', file.name, null, false);
  }

  async function importPdf(file: File) {
    setBusy(true);
    let pdfPages: Awaited<ReturnType<typeof openPdf>>;
    try {
      pdfPages = await openPdf(await file.arrayBuffer());
    } catch (e) {
      console.error(`scan: PDF import of ${file.name} failed: ${(e as Error).message}`);
      message.error(e instanceof PdfImportError ? e.message : `无法读取该 PDF 文件：${(e as Error).message}`);
      setBusy(false);
      return;
    }
    try {
      const replace = retakeId;
      for (let n = 1; n <= pdfPages.count; n++) {
        // A retake replaces its page with the PDF's first page; the others are added.
        await store(await pdfPages.render(n), 'import', `${file.name} 第${n}页`, null, false, n === 1 ? replace : null);
      }
    } catch (e) {
      message.error(`PDF 页面渲染失败：${(e as Error).message}`);
    } finally {
      await pdfPages.close();
      setBusy(false);
    }
  }

  const act = async (fn: () => Promise<Doc>) => {
    try {
      await show(await fn());
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '操作失败');
    }
  };

  /** 完成 on its own (not from a case's material): kept under the applicant (and case), and the clerk is told exactly where. */
  async function finish(d: Doc) {
    setFinishing(true);
    try {
      const r = await call('scans.finish', {
        documentId: d.id,
        ...(d.applicant ? {} : attach.applicantId ? { applicantId: attach.applicantId } : {}),
        ...(!d.case && attach.caseId ? { caseId: attach.caseId } : {}),
      });
      const words = whereItWent(r);
      // Wide enough that a long material name does not break “（1 页）” over two lines.
      modal.success({ width: 560, title: words.title, content: <span data-testid="scan-done-where">{words.content}</span>, okText: '知道了' });
      setDoc(null);
      setAttach({});
      form.resetFields();
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '保存失败，扫描件仍保留在本页，请重试。');
    } finally {
      setFinishing(false);
    }
  }

  async function start(v: NewScan) {
    const validUntil = v.validUntil ? v.validUntil.format('YYYY-MM-DD') : undefined;
    await act(() => call('scans.createDocument', { applicantId: v.applicantId!, ...(v.caseId ? { caseId: v.caseId } : {}), kind: v.kind, title: v.title, ...(validUntil ? { validUntil } : {}) }));
  }

  const move = (index: number, delta: number) => {
    if (!doc) return;
    const ids = doc.pages.map((p) => p.id);
    const [moved] = ids.splice(index, 1);
    ids.splice(index + delta, 0, moved!);
    void act(() => call('scans.reorderPages', { documentId: doc.id, pageIds: ids }));
  };

  return (
    <Row gutter={16} data-testid="scan-page" data-warp-kernels={warpKernels ?? undefined}>
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
              <Select style={{ width: 110 }} value={mode} onChange={setMode} options={SCAN_MODES.map((m) => ({ value: m, label: SCAN_MODE_LABELS[m] }))} data-testid="scan-mode" />
              <Tooltip title="材料放稳约 1 秒后自动拍摄一次；换页或移动后再拍下一次">
                <Space size={4}>
                  <Switch
                    size="small"
                    checked={autoCapture}
                    onChange={(on) => {
                      setAutoCapture(on);
                      saveAutoCapture(on);
                    }}
                    data-testid="auto-capture"
                  />
                  <Typography.Text>自动拍摄</Typography.Text>
                </Space>
              </Tooltip>
            </Space>
          }
        >
          {cameraError && <Alert type="warning" showIcon title={cameraError} style={{ marginBottom: 8 }} />}
          {engineError && (
            <Alert
              type="error"
              showIcon
              title="图像处理组件（OpenCV）未能加载，已改用简易处理：不能自动识别和拉正页面，将保存整个画面。请重启本软件；如仍出现，请联系技术支持。"
              description={`技术信息：${engineError}`}
              style={{ marginBottom: 8 }}
              data-testid="scan-engine-fallback"
            />
          )}
          <div style={{ position: 'relative', background: '#111', borderRadius: 6, overflow: 'hidden' }} data-testid="scan-preview" data-engine={processor?.name ?? 'loading'}>
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
              {!processor && <Tag data-testid="scan-engine">图像处理组件加载中…</Tag>}
            </Typography.Text>
            <Space>
              {manual && <Button onClick={() => setManual(false)}>恢复自动识别</Button>}
              <Tooltip title={doc ? undefined : '请先在右侧选择申请人、填写材料名称并点“开始扫描”，再拍摄或导入'}>
                <Upload accept="image/png,image/jpeg,application/pdf,.pdf" showUploadList={false} beforeUpload={(f) => (void importFile(f), false)} disabled={!doc || !processor}>
                  <Button disabled={!doc || !processor} data-testid="scan-import">
                    导入图片/PDF
                  </Button>
                </Upload>
              </Tooltip>
              <Button type="primary" size="large" icon={<CameraOutlined />} disabled={!doc || !resolution || !processor} loading={busy} onClick={() => void shutter()} data-testid="shutter">
                {retakeId ? '重拍此页' : '拍摄'}
              </Button>
            </Space>
          </Space>
        </Card>
      </Col>
      <Col xs={24} xl={9}>
        {!doc ? (
          <>
            <Card size="small" title="新建扫描件">
              {/* Another applicant: their cases, not the last one's (the case goes back to 不关联办件). */}
              <Form<NewScan>
                form={form}
                layout="vertical"
                initialValues={{ kind: 'certificate', caseId: 0 }}
                onFinish={(v) => void start(v)}
                onValuesChange={(changed: Partial<NewScan>) => 'applicantId' in changed && form.setFieldValue('caseId', 0)}
                data-testid="scan-new"
              >
                <ScanOwnerFields />
                <Row gutter={8}>
                  <Col span={9}>
                    <Form.Item name="kind" label="材料类别">
                      <Select options={SCAN_KINDS.map((k) => ({ value: k, label: SCAN_KIND_LABELS[k] }))} />
                    </Form.Item>
                  </Col>
                  <Col span={15}>
                    <Form.Item name="validUntil" label="有效期至（长期有效可不填）">
                      <DatePicker style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                </Row>
                <Form.Item name="title" label="材料名称" rules={[{ required: true, whitespace: true, message: '请输入材料名称' }]}>
                  <TitleInput caseId={formCaseId || undefined} />
                </Form.Item>
                <Button type="primary" htmlType="submit" data-testid="scan-start">
                  开始扫描
                </Button>
              </Form>
            </Card>
            {unfinished.length > 0 && (
              <Card size="small" title={`未完成的扫描件（${unfinished.length} 份）`} style={{ marginTop: 12 }} data-testid="scan-unfinished">
                <List
                  size="small"
                  dataSource={unfinished}
                  renderItem={(u) => (
                    <List.Item
                      data-testid={`scan-unfinished-${u.id}`}
                      actions={[
                        <Button
                          key="resume"
                          size="small"
                          type="primary"
                          data-testid="scan-resume"
                          onClick={() => void act(() => call('scans.getDocument', { documentId: u.id }))}
                        >
                          继续
                        </Button>,
                      ]}
                    >
                      <span>
                        {u.title}（{u.pages} 页）· 申请人：{u.applicantName ?? '—'}
                        <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                          {u.createdBy} 扫描 · 最后修改于 {deskTime(u.updatedAt)}
                          {u.validUntil ? ` · 有效期至 ${u.validUntil}` : ''}
                        </Typography.Text>
                      </span>
                    </List.Item>
                  )}
                />
              </Card>
            )}
            {unattached.length > 0 && (
              <Card size="small" title={`未关联申请人的扫描件（${unattached.length} 份）`} style={{ marginTop: 12 }} data-testid="scan-unattached">
                <List
                  size="small"
                  dataSource={unattached}
                  renderItem={(u) => (
                    <List.Item
                      actions={[
                        <Button key="attach" size="small" onClick={() => void act(() => call('scans.getDocument', { documentId: u.id }))}>
                          关联申请人
                        </Button>,
                      ]}
                    >
                      <span>
                        {u.title}（{u.pages} 页）
                        <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                          {u.createdBy} · {deskTime(u.createdAt)}
                        </Typography.Text>
                      </span>
                    </List.Item>
                  )}
                />
              </Card>
            )}
            {recent.length > 0 && (
              <Card size="small" title="最近完成的扫描件" style={{ marginTop: 12 }} data-testid="scan-recent">
                <List
                  size="small"
                  dataSource={recent}
                  renderItem={(u) => (
                    <List.Item data-testid={`scan-recent-${u.id}`}>
                      <span>
                        {u.title}（{u.pages} 页）
                        <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }} data-testid="scan-became">
                          {scanBecameParts(u.material!)[0]}
                          <span style={NO_BREAK}>{scanBecameParts(u.material!)[1]}</span>
                          <span style={{ display: 'block' }}>{deskTime(u.updatedAt)} 完成</span>
                        </Typography.Text>
                      </span>
                    </List.Item>
                  )}
                />
              </Card>
            )}
          </>
        ) : (
          <Card
            size="small"
            title={`${doc.title}（${doc.pages.length} 页）`}
            extra={
              <Space>
                <Button icon={<FilePdfOutlined />} disabled={doc.pages.length === 0} onClick={() => void call('scans.exportPdf', { documentId: doc.id }).then(setPdf)} data-testid="export-pdf">
                  导出 PDF
                </Button>
                {!onDone && doc.pages.length === 0 && (
                  <Button onClick={() => setDoc(null)} data-testid="scan-cancel">
                    放弃
                  </Button>
                )}
                <Button
                  type="primary"
                  disabled={doc.pages.length === 0 || (!onDone && !doc.applicant && !attach.applicantId)}
                  loading={finishing}
                  onClick={() => (onDone ? onDone(doc) : void finish(doc))}
                  data-testid="scan-done"
                >
                  完成
                </Button>
              </Space>
            }
          >
            {!onDone && (doc.applicant ? (
              <Typography.Paragraph type="secondary" style={{ fontSize: 12 }} data-testid="scan-owner">
                <span style={NO_BREAK}>申请人：{doc.applicant.name}</span>
                {' · '}
                <span style={NO_BREAK}>{doc.case ? `办件 ${doc.case.caseNo}` : '不关联办件'}</span>
                <br />
                <span style={NO_BREAK}>{doc.certificate ? `证明：${doc.certificate.name}` : '未指定证明'}</span>
                {' · '}
                <span style={NO_BREAK} data-testid="scan-valid-until">
                  {doc.validUntil ? `有效期至 ${doc.validUntil}` : '未填有效期'}
                </span>
              </Typography.Paragraph>
            ) : (
              <Space direction="vertical" style={{ width: '100%', marginBottom: 8 }} data-testid="scan-attach">
                <Alert type="warning" showIcon title="该扫描件尚未关联申请人：请选择申请人后点“完成”，存入其材料库。" />
                <ApplicantSelect value={attach.applicantId} onChange={(id) => setAttach({ applicantId: id })} />
                <CaseSelect applicantId={attach.applicantId} value={attach.caseId} onChange={(id) => setAttach({ ...attach, caseId: id })} />
              </Space>
            ))}
            {doc.pages.length === 0 && <Empty description="对准材料后按“拍摄”" />}
            <div data-testid="scan-pages">
              {doc.pages.map((p, i) => (
                <div key={p.id} style={{ display: 'flex', gap: 8, alignItems: 'center', padding: 6, borderBottom: '1px solid #f0f0f0', background: retakeId === p.id ? '#e6f4ff' : undefined }}>
                  <div style={{ position: 'relative', width: 72, height: 72, flex: 'none', outline: p.capture.blank ? '2px solid #ff4d4f' : undefined }}>
                    {thumbs[p.id] && <img src={thumbs[p.id]} alt={`第${i + 1}页`} style={{ width: 72, height: 72, objectFit: 'contain', background: '#fafafa' }} />}
                    {p.capture.blank && (
                      <span style={{ position: 'absolute', left: 0, right: 0, bottom: 0, background: 'rgba(255,77,79,0.9)', color: '#fff', fontSize: 12, textAlign: 'center' }}>空白页</span>
                    )}
                  </div>
                  <div style={{ flex: 1 }}>
                    第 {i + 1} 页 <Tag>{SCAN_MODE_LABELS[p.mode as ScanMode] ?? p.mode}</Tag>
                    {p.capture.trigger === 'auto' && <Tag color="green">自动拍摄</Tag>}
                    {p.capture.blank && (
                      <Tag color="red" data-testid="blank-page-flag">
                        空白页
                      </Tag>
                    )}
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
