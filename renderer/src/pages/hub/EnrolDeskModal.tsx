import { useState } from 'react';
import { Alert, Button, Checkbox, Descriptions, Input, Modal, Space, Typography, Upload } from 'antd';
import { UploadOutlined } from '@ant-design/icons';
import type { CardPreview } from '../../../../shared/ipc/methods/hub';
import { call } from '../../ipc/client';
import { callErrorText } from '../../ipc/use-call';

const ZONES = { intranet: '内网', extranet: '外网' } as const;

/**
 * 登记工作台: the new desk's card (its file, or the JSON pasted), then both fingerprints to
 * compare — the card's with the one the new desk shows, the hub's with the one the new desk pins —
 * and only then the enrolment, which carries the fingerprint the supervisor confirmed.
 */
export function EnrolDeskModal({ open, onClose, onEnrolled }: { open: boolean; onClose: () => void; onEnrolled: (name: string) => void }) {
  const [text, setText] = useState('');
  const [preview, setPreview] = useState<CardPreview | null>(null);
  const [confirmed, setConfirmed] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  function reset() {
    setText('');
    setPreview(null);
    setConfirmed(false);
    setError(null);
  }

  async function inspect(card: string) {
    setBusy(true);
    setError(null);
    try {
      setPreview(await call('hub.desks.inspectCard', { card }));
      setConfirmed(false);
    } catch (e) {
      setPreview(null);
      setError(callErrorText(e, '无法读取身份卡'));
    } finally {
      setBusy(false);
    }
  }

  async function enrol() {
    if (!preview) return;
    setBusy(true);
    setError(null);
    try {
      const r = await call('hub.desks.enrol', { card: text, confirmedFingerprint: confirmed ? preview.fingerprint : '' });
      reset();
      onEnrolled(r.already ? `${r.name}（此前已登记）` : r.name);
    } catch (e) {
      setError(callErrorText(e, '登记失败'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      open={open}
      title="登记工作台"
      width={720}
      onCancel={() => {
        reset();
        onClose();
      }}
      footer={
        preview ? (
          <Space>
            <Button onClick={() => setPreview(null)} disabled={busy}>
              重新选择身份卡
            </Button>
            <Button type="primary" disabled={!confirmed} loading={busy} onClick={() => void enrol()} data-testid="enrol-confirm">
              确认登记
            </Button>
          </Space>
        ) : (
          <Button type="primary" disabled={!text.trim()} loading={busy} onClick={() => void inspect(text)} data-testid="enrol-read">
            读取身份卡
          </Button>
        )
      }
    >
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="enrol-error" />}
      {!preview ? (
        <Space orientation="vertical" style={{ width: '100%' }}>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 0 }}>
            在要登记的工作台上打开“数据同步”页面，点“复制本机身份卡”（或在“内外网交换 → 区域与配对”导出卡片文件），然后把卡片文件选到这里，或把其内容粘贴到下面。身份卡只含公钥。
          </Typography.Paragraph>
          <Upload
            accept=".json,application/json"
            showUploadList={false}
            beforeUpload={async (file) => {
              const t = await file.text();
              setText(t);
              void inspect(t);
              return false;
            }}
          >
            <Button icon={<UploadOutlined />}>选择身份卡文件…</Button>
          </Upload>
          <Input.TextArea rows={8} value={text} onChange={(e) => setText(e.target.value)} placeholder='{"format":"pfd-desk-card/1", …}' style={{ fontFamily: 'monospace', fontSize: 12 }} data-testid="enrol-card" />
        </Space>
      ) : (
        <Space orientation="vertical" style={{ width: '100%' }} size={12}>
          <Descriptions size="small" column={2} bordered>
            <Descriptions.Item label="工作台">{preview.name}</Descriptions.Item>
            <Descriptions.Item label="编号">{preview.deskId}</Descriptions.Item>
            <Descriptions.Item label="网络区域" span={2}>
              {ZONES[preview.zone]}
            </Descriptions.Item>
          </Descriptions>
          <div className="hub-fingerprints">
            <div>
              <Typography.Text type="secondary">该工作台的指纹（由身份卡计算）</Typography.Text>
              <div className="hub-fingerprint" data-testid="card-fingerprint">
                {preview.fingerprint}
              </div>
              <Typography.Text type="secondary">须与该工作台“数据同步”页面上的“本机指纹”逐字一致</Typography.Text>
            </div>
            <div>
              <Typography.Text type="secondary">{preview.hubName}的指纹</Typography.Text>
              <div className="hub-fingerprint" data-testid="hub-fingerprint">
                {preview.hubFingerprint}
              </div>
              <Typography.Text type="secondary">该工作台接入全厅中心时核对的指纹须与此一致</Typography.Text>
            </div>
          </div>
          <Alert
            type="warning"
            showIcon
            title="指纹不一致时请勿登记：身份卡可能在传递中被替换。登记后，该工作台即可向全厅中心推送办件并取得全厅数据。"
          />
          <Checkbox checked={confirmed} onChange={(e) => setConfirmed(e.target.checked)} data-testid="enrol-confirmed">
            我已与该工作台屏幕上显示的指纹逐字核对，两者一致
          </Checkbox>
        </Space>
      )}
    </Modal>
  );
}
