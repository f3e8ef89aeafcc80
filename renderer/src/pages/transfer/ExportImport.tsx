import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, InputNumber, Space, Table, Tag } from 'antd';
import type { ImportOutcome } from '../../../../shared/ipc/methods/transfer';
import { call, DeskCallError } from '../../ipc/client';
import { formatBytes, type Status } from './use-transfer';

const OUTCOME: Record<ImportOutcome['status'], { color: string; text: string }> = {
  applied: { color: 'green', text: '已导入' },
  already: { color: 'default', text: '此前已导入，未作改动' },
  refused: { color: 'red', text: '已拒绝' },
};

export function OutcomeTable({ outcomes, testId }: { outcomes: ImportOutcome[]; testId: string }) {
  return (
    <Table
      data-testid={testId}
      size="small"
      rowKey={(o) => `${o.file}-${o.at}`}
      pagination={false}
      dataSource={outcomes}
      columns={[
        { title: '文件', dataIndex: 'file', render: (f: string) => f.split(/[\\/]/).pop() },
        { title: '序号', dataIndex: 'seq', width: 70, render: (s: number | null) => s ?? '—' },
        { title: '结果', dataIndex: 'status', width: 170, render: (s: ImportOutcome['status']) => <Tag color={OUTCOME[s].color}>{OUTCOME[s].text}</Tag> },
        { title: '说明', render: (_: unknown, o: ImportOutcome) => (o.status === 'refused' ? o.reason : `新增 ${o.entriesNew} 条，已有 ${o.entriesKnown} 条，回执 ${o.acks} 条`) },
      ]}
    />
  );
}

/** 导出 / 导入: write a bundle to a folder or drive; import the bundles in a folder; the watched drop folder. */
export function ExportImport({ status, onChange, reload, supervisor }: { status: Status; onChange(s: Status): void; reload(): Promise<void>; supervisor: boolean }) {
  const { message } = App.useApp();
  const [busy, setBusy] = useState<string | null>(null);
  const [exported, setExported] = useState<string | null>(null);
  const [outcomes, setOutcomes] = useState<ImportOutcome[] | null>(null);
  const ready = Boolean(status.desk && status.peer);
  const guard = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    try {
      await fn();
      await reload();
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }}>
      {!ready && <Alert type="warning" showIcon message="请先在“区域与配对”中设置本机网络区域并与对端工作台配对。" />}
      <Card title="导出交换包" data-testid="transfer-export">
        <p>
          待转送 <b data-testid="to-export">{status.toExport}</b> 条新记录；已送出待对端确认 <b>{status.waiting}</b> 条（未确认的会随下一个交换包再次带上，对端按幂等键去重）。
        </p>
        <Form
          layout="inline"
          disabled={!ready || busy !== null}
          initialValues={{ chunkMb: 8 }}
          onFinish={(v: { folder: string; chunkMb: number }) =>
            guard('export', async () => {
              const r = await call('transfer.export', { folder: v.folder, chunkMb: v.chunkMb });
              setExported(`已导出第 ${r.seq} 号交换包：${r.entries} 条记录、${r.files} 个文件、${r.acks} 条回执，${r.parts} 个分片共 ${formatBytes(r.bytes)}，位于 ${r.manifestFile}`);
            })
          }
        >
          <Form.Item name="folder" rules={[{ required: true, message: '请填写导出位置' }]}>
            <Input placeholder="导出到的文件夹或移动介质，如 E:\交换 或 /media/usb" style={{ width: 420 }} data-testid="export-folder" />
          </Form.Item>
          <Form.Item name="chunkMb" label="分片大小(MB)">
            <InputNumber min={0.01} max={4096} step={1} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy === 'export'}>
            导出
          </Button>
        </Form>
        {exported && <Alert style={{ marginTop: 12 }} type="success" showIcon message={exported} data-testid="export-result" />}
      </Card>
      <Card title="导入交换包" data-testid="transfer-import">
        <Form
          layout="inline"
          disabled={!ready || busy !== null}
          onFinish={(v: { folder: string }) =>
            guard('import', async () => {
              const r = await call('transfer.import', { folder: v.folder });
              setOutcomes(r.outcomes);
            })
          }
        >
          <Form.Item name="folder" rules={[{ required: true, message: '请填写交换包所在位置' }]}>
            <Input placeholder="交换包所在的文件夹或移动介质" style={{ width: 420 }} data-testid="import-folder" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy === 'import'}>
            校验并导入
          </Button>
        </Form>
        {outcomes && (
          <div style={{ marginTop: 12 }}>
            <OutcomeTable outcomes={outcomes} testId="import-outcomes" />
          </div>
        )}
        {status.gaps.length > 0 && <Alert style={{ marginTop: 12 }} type="warning" showIcon data-testid="gap-warning" message={`对端的第 ${status.gaps.join('、')} 号交换包尚未导入（缺号），其中未确认的记录会随对端下一个交换包再次带来。`} />}
      </Card>
      <Card title="自动导入的交换文件夹（网闸/光闸落地目录）" size="small">
        <Form
          layout="inline"
          disabled={!supervisor || busy !== null}
          initialValues={{ folder: status.dropFolder ?? '' }}
          onFinish={(v: { folder: string }) => guard('drop', async () => onChange(await call('transfer.setDropFolder', { folder: v.folder.trim() || null })))}
        >
          <Form.Item name="folder">
            <Input placeholder="留空表示不监视" style={{ width: 420 }} />
          </Form.Item>
          <Button htmlType="submit" loading={busy === 'drop'}>
            保存
          </Button>
        </Form>
        <div style={{ marginTop: 8, color: '#888' }}>{status.dropFolder ? `正在监视：${status.dropFolder}（每 2 秒检查一次，新到的交换包校验后自动导入）` : '未设置。'}</div>
      </Card>
    </Space>
  );
}
