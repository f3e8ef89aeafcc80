import { useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Form, Input, Radio, Space, Tag, Typography } from 'antd';
import { SIGN_ALG_LABELS, ZONE_LABELS, type Zone } from '../../../../shared/ipc/methods/transfer';
import { call, DeskCallError } from '../../ipc/client';
import type { Status } from './use-transfer';

/** 区域与配对: this desk's zone and keys, its card and fingerprint, and pairing with the peer desk. */
export function ZonePairing({ status, onChange, supervisor }: { status: Status; onChange(s: Status): void; supervisor: boolean }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const run = async (fn: () => Promise<Status>, ok: string) => {
    setBusy(true);
    try {
      onChange(await fn());
      message.success(ok);
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  if (!status.desk) {
    return (
      <Card title="设置本机网络区域" data-testid="transfer-setup">
        {!supervisor && <Alert type="info" showIcon message="请由管理员设置本机所在的网络区域并生成交换密钥。" />}
        <Form
          layout="vertical"
          disabled={!supervisor || busy}
          initialValues={{ zone: 'intranet', signAlg: 'sm2-sm3', name: '' }}
          onFinish={(v: { zone: Zone; name: string; signAlg: 'ed25519' | 'sm2-sm3' }) => run(() => call('transfer.setup', v), '已生成本机交换密钥')}
        >
          <Form.Item name="zone" label="本机所在网络">
            <Radio.Group options={(['intranet', 'extranet'] as const).map((z) => ({ value: z, label: ZONE_LABELS[z] }))} />
          </Form.Item>
          <Form.Item name="name" label="本机名称（对端核对时看到）" rules={[{ required: true, message: '请填写本机名称' }]}>
            <Input placeholder="例如：综合窗口3号 内网机" maxLength={60} />
          </Form.Item>
          <Form.Item name="signAlg" label="签名算法" extra={status.sm2Available ? '选择商用密码时，交换包以 SM2 签名、SM4 加密；选择 Ed25519 时以 AES 加密。' : '本机运行环境不提供 SM2/SM3。'}>
            <Radio.Group options={[{ value: 'sm2-sm3', label: SIGN_ALG_LABELS['sm2-sm3'], disabled: !status.sm2Available }, { value: 'ed25519', label: SIGN_ALG_LABELS.ed25519 }]} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy}>
            生成密钥
          </Button>
        </Form>
      </Card>
    );
  }

  const restart = status.senderZone !== status.desk.zone;
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      <Card title="本机" data-testid="transfer-desk">
        {restart && <Alert type="warning" showIcon style={{ marginBottom: 12 }} message="网络区域已设置，重启本程序后数据同步才按新区域只发送本网可达的目标。" />}
        <Descriptions column={2} size="small">
          <Descriptions.Item label="网络区域">
            <Tag color={status.desk.zone === 'intranet' ? 'red' : 'blue'}>{ZONE_LABELS[status.desk.zone]}</Tag>
          </Descriptions.Item>
          <Descriptions.Item label="名称">{status.desk.name}</Descriptions.Item>
          <Descriptions.Item label="编号">{status.desk.deskId}</Descriptions.Item>
          <Descriptions.Item label="签名算法">{SIGN_ALG_LABELS[status.desk.signAlg]}</Descriptions.Item>
          <Descriptions.Item label="指纹" span={2}>
            <Typography.Text strong copyable data-testid="my-fingerprint" style={{ fontSize: 18, fontFamily: 'monospace' }}>
              {status.desk.fingerprint}
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
        <Typography.Paragraph type="secondary" style={{ marginBottom: 4 }}>
          本机卡片（只含公钥）：复制后通过移动介质交给对端工作台，由对端管理员导入；两台机器上显示的指纹必须逐字一致。
        </Typography.Paragraph>
        <Input.TextArea readOnly value={status.card ?? ''} autoSize={{ minRows: 3, maxRows: 6 }} data-testid="my-card" style={{ fontFamily: 'monospace', fontSize: 12 }} />
      </Card>
      <Card title="对端工作台" data-testid="transfer-peer">
        {status.peer ? (
          <Descriptions column={2} size="small">
            <Descriptions.Item label="网络区域">{ZONE_LABELS[status.peer.zone]}</Descriptions.Item>
            <Descriptions.Item label="名称">{status.peer.name}</Descriptions.Item>
            <Descriptions.Item label="编号">{status.peer.deskId}</Descriptions.Item>
            <Descriptions.Item label="指纹">
              <Typography.Text strong style={{ fontFamily: 'monospace' }} data-testid="peer-fingerprint">
                {status.peer.fingerprint}
              </Typography.Text>
            </Descriptions.Item>
          </Descriptions>
        ) : (
          <Alert type="info" showIcon message="尚未配对。把对端的卡片粘贴到下面，和对端屏幕上的指纹逐字核对后填入指纹。" style={{ marginBottom: 12 }} />
        )}
        {supervisor && (
          <Form layout="vertical" disabled={busy} onFinish={(v: { card: string; fingerprint: string }) => run(() => call('transfer.pair', v), '已与对端工作台配对')}>
            <Form.Item name="card" label="对端卡片" rules={[{ required: true, message: '请粘贴对端卡片' }]}>
              <Input.TextArea autoSize={{ minRows: 3, maxRows: 6 }} data-testid="peer-card-input" style={{ fontFamily: 'monospace', fontSize: 12 }} />
            </Form.Item>
            <Form.Item name="fingerprint" label="核对过的指纹" rules={[{ required: true, message: '请填入核对过的指纹' }]}>
              <Input placeholder="XXXX-XXXX-XXXX-XXXX-XXXX" data-testid="peer-fingerprint-input" style={{ fontFamily: 'monospace' }} />
            </Form.Item>
            <Button htmlType="submit" type={status.peer ? 'default' : 'primary'} loading={busy}>
              {status.peer ? '更换对端' : '配对'}
            </Button>
          </Form>
        )}
      </Card>
      <Card title="目标系统的可达区域" size="small">
        {status.targets.map((t) => (
          <div key={t.id}>
            {t.name}：{t.zones ? t.zones.map((z) => ZONE_LABELS[z]).join('、') : '任意网络'} —{' '}
            {t.reachableHere ? <Tag color="green">本机直接发送</Tag> : <Tag color="orange">经对端工作台转送</Tag>}
          </div>
        ))}
      </Card>
    </Space>
  );
}
