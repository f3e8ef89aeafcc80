import { useEffect, useRef, useState } from 'react';
import { TechValue } from '../../components/TechValue';
import { Alert, App, Button, Card, Checkbox, Descriptions, Form, Image, Input, List, Radio, Space, Tag, Typography, Upload } from 'antd';
import type { FieldWorkView } from '../../../../shared/ipc/methods/verification';
import { call, DeskCallError } from '../../ipc/client';
import { useCall } from '../../ipc/use-call';
import { useDesk } from '../../state/desk-store';
import { LoadError } from '../../components/LoadError';
import { SignaturePad, type SignaturePadHandle } from '../../components/SignaturePad';
import { ConsequenceFields, cleanConsequence } from './ConsequenceFields';
import { FieldCamera } from './FieldCamera';
import { DEFAULT_LEGAL_BASIS, OUTCOME_LABELS } from './labels';
import { deskDay, deskTime } from '../../lib/time';
import type { HallTake } from '../../../../shared/ipc/methods/hall-field';
import { HallTasks, hallResultText } from './HallTasks';

/** A picked file's bytes as base64 (no data: prefix). */
async function fileBase64(file: Blob): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

function downloadText(text: string, fileName: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * 外勤 on the assistant's laptop: field packages taken at the hall, worked with no network
 * (checklist, notes, place, photos, the applicant's signature), sealed into a result file.
 */
export function FieldWorkTab() {
  const { message } = App.useApp();
  const { data, error, reload: loadList } = useCall('field.list', {});
  // 全厅任务 is the assistant's: a supervisor's desk issues packages, it does not take its tasks through the hub.
  const role = useDesk((s) => s.session!.user.role);
  const hall = useCall('field.hallTasks', {});
  const reloadHall = hall.reload;
  useEffect(() => {
    const t = window.setInterval(() => void Promise.all([reloadHall(), loadList()]), 3000);
    return () => window.clearInterval(t);
  }, [reloadHall, loadList]);
  const load = async () => {
    await Promise.all([loadList(), reloadHall()]);
  };
  const list: FieldWorkView[] = data ?? [];
  const [openId, setOpenId] = useState<string | null>(null);
  const current = list.find((w) => w.packageId === openId) ?? null;
  const viaHall = current ? (hall.data?.mine.find((m) => m.packageId === current.packageId) ?? null) : null;

  return (
    <>
      <LoadError error={error} retry={() => void load()} />
      {role === 'assistant' && <HallTasks data={hall.data} error={hall.error} onChanged={load} onOpen={setOpenId} />}
      <Space style={{ marginBottom: 12 }}>
        <Upload
          accept=".json,application/json"
          showUploadList={false}
          beforeUpload={async (file) => {
            try {
              const w = await call('field.import', { packageJson: await file.text() });
              message.success(`已导入外勤任务 ${w.caseNo}`);
              await load();
              setOpenId(w.packageId);
            } catch (e) {
              message.error(e instanceof DeskCallError ? e.message : '导入失败');
            }
            return false;
          }}
        >
          <Button type="primary" data-testid="import-field-package">导入外勤任务文件</Button>
        </Upload>
        <Typography.Text type="secondary">外勤期间无需联网，所有记录保存在本机；经全厅中心领取的任务完成后自动回传，其他任务导出结果文件交回大厅。</Typography.Text>
      </Space>
      <List
        bordered
        dataSource={list}
        locale={{ emptyText: '本机暂无外勤任务' }}
        renderItem={(w) => (
          <List.Item
            actions={[
              <Button key="open" size="small" onClick={() => setOpenId(w.packageId)}>
                {w.state === 'working' ? '处理' : '查看'}
              </Button>,
            ]}
          >
            <Space>
              <b>{w.caseNo}</b> {w.applicantName} · {w.certificate} · {w.method} · 期限 {deskDay(w.dueAt)}
              <FieldStateTag work={w} viaHall={hall.data?.mine.find((m) => m.packageId === w.packageId) ?? null} />
            </Space>
          </List.Item>
        )}
      />
      {current && <FieldWorkForm key={current.packageId} work={current} viaHall={viaHall} onChanged={load} />}
    </>
  );
}

/** A package's state on this laptop; one taken through the hub shows where it stands at the hall. */
function FieldStateTag({ work, viaHall }: { work: FieldWorkView; viaHall: HallTake | null }) {
  if (viaHall && work.state === 'finished') return <Tag color={viaHall.status === 'applied' ? 'green' : 'orange'}>{viaHall.statusText}</Tag>;
  return work.state === 'working' ? <Tag color="purple">外勤中</Tag> : <Tag color="green">已完成待交回</Tag>;
}

function FieldWorkForm({ work, viaHall, onChanged }: { work: FieldWorkView; viaHall: HallTake | null; onChanged: () => Promise<void> }) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const sig = useRef<SignaturePadHandle>(null);
  const [photos, setPhotos] = useState<Record<number, string>>({});
  const [coords, setCoords] = useState(work.work.coords);
  const [geoError, setGeoError] = useState<string | null>(null);
  const outcome = Form.useWatch('outcome', form) as keyof typeof OUTCOME_LABELS | undefined;
  const done = work.state === 'finished';

  useEffect(() => {
    void (async () => {
      const imgs: Record<number, string> = {};
      for (const p of work.photos) {
        const f = await call('field.photo', { packageId: work.packageId, position: p.position });
        imgs[p.position] = `data:${f.mime};base64,${f.base64}`;
      }
      setPhotos(imgs);
    })();
  }, [work]);

  const values = () => {
    const v = form.getFieldsValue() as { answers?: string[]; notes?: string; address?: string; outcome?: 'true' | 'false' | 'unable'; consequence?: Record<string, string> };
    return {
      packageId: work.packageId,
      answers: Object.fromEntries(work.checklist.map((c) => [c.key, (v.answers ?? []).includes(c.key)])),
      notes: v.notes ?? '',
      address: v.address ?? '',
      coords,
      outcome: v.outcome ?? null,
      consequence: v.outcome === 'false' ? (cleanConsequence(v.consequence) ?? null) : null,
    };
  };
  const save = async (quiet = false) => {
    try {
      await call('field.save', values());
      if (!quiet) message.success('已保存在本机');
      await onChanged();
      return true;
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '保存失败');
      return false;
    }
  };
  const locate = () => {
    if (!('geolocation' in navigator)) {
      setGeoError('本机不能提供坐标，请填写地址。');
      return;
    }
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setCoords({ lat: p.coords.latitude, lng: p.coords.longitude, accuracy: p.coords.accuracy ?? null });
        setGeoError(null);
      },
      () => setGeoError('本机不能提供坐标（无定位设备或未授权），请填写地址。'),
      { timeout: 8000 },
    );
  };

  return (
    <Card title={`外勤核查：${work.caseNo} ${work.certificate}`} style={{ marginTop: 16 }} data-testid="field-work">
      {!done && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 16 }}
          title="本机已为该任务生成专用密钥：外出前请导出设备登记文件，交回大厅“导入外勤结果或设备登记”。大厅只接受由本机密钥签署的外勤结果（经全厅中心领取的任务已自动登记）。"
          action={
            <Button
              size="small"
              data-testid="field-key-export"
              onClick={async () => {
                try {
                  const r = await call('field.keyRegistration', { packageId: work.packageId });
                  downloadText(r.registrationJson, r.fileName);
                } catch (e) {
                  message.error(e instanceof DeskCallError ? e.message : '导出失败');
                }
              }}
            >
              导出设备登记文件
            </Button>
          }
        />
      )}
      <Descriptions column={2} size="small" bordered style={{ marginBottom: 16 }}>
        <Descriptions.Item label="申请人">{work.applicantName}（{work.idNumberMasked}）</Descriptions.Item>
        <Descriptions.Item label="核查方式 / 期限">{work.method}，{deskDay(work.dueAt)} 前</Descriptions.Item>
        <Descriptions.Item label="地址（实地调查地点）">
          <span data-testid="field-applicant-address">{work.applicantAddress ?? <Typography.Text type="warning">地址未登记，请先电话联系申请人</Typography.Text>}</span>
        </Descriptions.Item>
        <Descriptions.Item label="联系电话">
          <span data-testid="field-applicant-phone">{work.applicantPhone ?? '未随任务下发'}</span>
        </Descriptions.Item>
        <Descriptions.Item label="事项" span={2}>{work.items.join('、')}</Descriptions.Item>
        <Descriptions.Item label="承诺内容" span={2}>{work.commitmentText || '—'}</Descriptions.Item>
      </Descriptions>
      {done && !viaHall && <Alert type="success" showIcon message="外勤已完成，结果已封存；请导出结果文件交回大厅（可重复导出，大厅只应用一次）。" style={{ marginBottom: 12 }} />}
      {done && viaHall && <Alert type={viaHall.status === 'applied' ? 'success' : 'info'} showIcon data-testid="field-hall-result" message={hallResultText(viaHall)} style={{ marginBottom: 12 }} />}
      <Form
        form={form}
        layout="vertical"
        disabled={done}
        initialValues={{
          answers: Object.entries(work.work.answers).filter(([, v]) => v).map(([k]) => k),
          notes: work.work.notes,
          address: work.work.address,
          outcome: work.work.outcome ?? undefined,
          consequence: work.work.consequence ?? { legalBasis: DEFAULT_LEGAL_BASIS, severity: '一般' },
        }}
      >
        <Form.Item name="answers" label="核查清单">
          <Checkbox.Group style={{ display: 'flex', flexDirection: 'column', gap: 6 }} options={work.checklist.map((c) => ({ value: c.key, label: c.text }))} />
        </Form.Item>
        <Form.Item name="notes" label="核查记录">
          <Input.TextArea rows={3} data-testid="field-notes" />
        </Form.Item>
        <Form.Item label="核查地点">
          <Space direction="vertical" style={{ width: '100%' }}>
            <Form.Item name="address" noStyle>
              <Input placeholder="详细地址" data-testid="field-address" />
            </Form.Item>
            <Space>
              <Button size="small" onClick={locate} data-testid="field-locate">获取坐标</Button>
              <span data-testid="field-coords">{coords ? `纬度 ${coords.lat.toFixed(5)}，经度 ${coords.lng.toFixed(5)}${coords.accuracy ? `（±${Math.round(coords.accuracy)} 米）` : ''}` : '未取得坐标'}</span>
            </Space>
            {geoError && <Typography.Text type="warning">{geoError}</Typography.Text>}
          </Space>
        </Form.Item>
        <Form.Item label="现场照片（记录拍摄时间）">
          <Space wrap>
            {work.photos.map((p) => (
              <div key={p.position} style={{ width: 150 }} data-testid="field-photo">
                {photos[p.position] && <Image src={photos[p.position]} width={140} />}
                <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                  {p.kind === 'signature' ? '申请人签字' : '照片'} {deskTime(p.takenAt)}
                  <br />
                  <TechValue label="SHA-256" value={p.sha256} />
                </Typography.Text>
              </div>
            ))}
          </Space>
          {!done && (
            <Upload
              accept="image/jpeg,image/png"
              showUploadList={false}
              beforeUpload={async (file) => {
                try {
                  const b64 = await fileBase64(file);
                  await call('field.addPhoto', { packageId: work.packageId, kind: 'photo', base64: b64, takenAt: new Date(file.lastModified || Date.now()).toISOString() });
                  message.success(`已导入照片 ${file.name}`);
                  await onChanged();
                } catch (e) {
                  message.error(e instanceof DeskCallError ? e.message : '照片导入失败');
                }
                return false;
              }}
            >
              <Button data-testid="field-import-photo" style={{ marginBottom: 8 }}>导入照片</Button>
              <Typography.Text type="secondary" style={{ marginLeft: 8 }}>本机没有摄像头时，可导入相机或手机拍摄的照片（JPEG/PNG）</Typography.Text>
            </Upload>
          )}
          {!done && (
            <FieldCamera
              onShot={async (b64, takenAt) => {
                try {
                  await call('field.addPhoto', { packageId: work.packageId, kind: 'photo', base64: b64, takenAt });
                  await onChanged();
                } catch (e) {
                  message.error(e instanceof DeskCallError ? e.message : '照片保存失败');
                }
              }}
            />
          )}
        </Form.Item>
        {work.needsSignature && !done && (
          <Form.Item label="申请人现场签字确认">
            <SignaturePad ref={sig} width={420} height={140} />
            <Button
              size="small"
              style={{ marginTop: 6 }}
              onClick={async () => {
                const b64 = sig.current?.toPngBase64();
                if (!b64) return void message.warning('请申请人先签字');
                await call('field.addPhoto', { packageId: work.packageId, kind: 'signature', base64: b64, takenAt: new Date().toISOString() });
                sig.current?.clear();
                await onChanged();
              }}
            >
              保存签字
            </Button>
          </Form.Item>
        )}
        <Form.Item name="outcome" label="核查结论">
          <Radio.Group options={Object.entries(OUTCOME_LABELS).map(([value, label]) => ({ value, label }))} />
        </Form.Item>
        {outcome === 'false' && <ConsequenceFields prefix="consequence" />}
      </Form>
      <Space>
        {!done && <Button onClick={() => void save()}>保存</Button>}
        <Button
          type="primary"
          data-testid="field-finish"
          onClick={async () => {
            if (!done && !(await save(true))) return;
            try {
              const r = await call('field.finish', { packageId: work.packageId });
              if (viaHall && !done) message.success('外勤已完成，结果已封存，将经全厅中心自动回传');
              else {
                downloadText(r.resultJson, r.fileName);
                message.success('结果文件已导出');
              }
              await onChanged();
            } catch (e) {
              message.error(e instanceof DeskCallError ? e.message : '导出失败');
            }
          }}
        >
          {viaHall ? (done ? '导出结果文件（备用）' : '完成外勤') : done ? '再次导出结果文件' : '完成并导出结果文件'}
        </Button>
      </Space>
    </Card>
  );
}
