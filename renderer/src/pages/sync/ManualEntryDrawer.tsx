import { useEffect, useState } from 'react';
import { Alert, App, Button, Drawer, Input, Space, Spin, Table, Typography } from 'antd';
import { CopyOutlined } from '@ant-design/icons';
import { call, DeskCallError } from '../../ipc/client';
import type { MethodOutput } from '../../../../shared/ipc/contract';
import { copyText } from './copy-text';
import { useSyncStatus } from './sync-store';

type View = MethodOutput<'sync.manual.view'>;
type Field = View['fields'][number];

/**
 * Manual re-entry (人工补录): the target screen's fields in that screen's
 * order, each one click to copy; "全部复制" gives them tab-separated, so one
 * paste into the first box fills the form where Tab moves to the next box.
 * The clerk then records the number the target gave the case.
 */
export function ManualEntryDrawer({ entryId, onClose, onEntered }: { entryId: number | null; onClose: () => void; onEntered: () => void }) {
  const { message } = App.useApp();
  const [view, setView] = useState<View | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [targetNo, setTargetNo] = useState('');
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState<Set<number>>(new Set());

  useEffect(() => {
    setView(null);
    setError(null);
    setTargetNo('');
    setCopied(new Set());
    if (entryId === null) return;
    call('sync.manual.view', { entryId }).then(setView, (e) => setError(e instanceof DeskCallError ? e.message : String(e)));
  }, [entryId]);

  async function copy(text: string, what: string, index?: number) {
    if (await copyText(text)) {
      message.success(`已复制${what}`);
      if (index !== undefined) setCopied((s) => new Set(s).add(index));
    } else message.warning('浏览器不允许自动复制，请选中文字后按 Ctrl+C');
  }

  async function markEntered() {
    if (!view) return;
    setBusy(true);
    try {
      const { entry } = await call('sync.manual.markEntered', { entryId: view.entry.id, targetCaseNo: targetNo.trim() });
      message.success(`已记录：${entry.targetName}编号 ${entry.targetCaseNo ?? targetNo.trim()}`);
      void useSyncStatus.getState().poll();
      onEntered();
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '保存失败');
    } finally {
      setBusy(false);
    }
  }

  const allText = view ? view.fields.map((f) => f.value).join('\t') : '';
  return (
    <Drawer
      open={entryId !== null}
      onClose={onClose}
      size={720}
      title={view ? `人工补录 · ${view.entry.targetName}` : '人工补录'}
      data-testid="manual-drawer"
      extra={
        view && (
          <Button icon={<CopyOutlined />} onClick={() => void copy(allText, '全部字段（以制表符分隔）')} data-testid="copy-all">
            全部复制
          </Button>
        )
      }
    >
      {error && <Alert type="error" showIcon title={error} />}
      {!view && !error && <Spin />}
      {view && (
        <>
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            title={`请打开对方系统的「${view.screen}」页面，按下列顺序逐项录入`}
            description={`办件 ${view.entry.caseNo} · ${view.entry.applicantName} · 第 ${view.entry.revision} 版。点击“复制”后在对方页面粘贴；“全部复制”按顺序以制表符分隔。`}
          />
          <Table<Field & { index: number }>
            rowKey="index"
            size="small"
            pagination={false}
            data-testid="manual-fields"
            dataSource={view.fields.map((f, index) => ({ ...f, index }))}
            columns={[
              { title: '序号', dataIndex: 'index', width: 56, render: (i: number) => i + 1 },
              {
                title: '对方页面字段',
                dataIndex: 'label',
                width: 180,
                render: (v: string, f) => (
                  <>
                    <div>{v}</div>
                    {f.hint && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{f.hint}</Typography.Text>}
                  </>
                ),
              },
              {
                title: '填写内容',
                dataIndex: 'value',
                render: (v: string) => (
                  <Typography.Text style={{ fontFamily: 'Consolas, monospace', userSelect: 'all' }} data-testid="field-value">
                    {v || <Typography.Text type="secondary">（空）</Typography.Text>}
                  </Typography.Text>
                ),
              },
              {
                title: '',
                key: 'copy',
                width: 96,
                render: (_, f) => (
                  <Button size="small" icon={<CopyOutlined />} type={copied.has(f.index) ? 'default' : 'primary'} ghost={!copied.has(f.index)} onClick={() => void copy(f.value, `“${f.label}”`, f.index)}>
                    {copied.has(f.index) ? '已复制' : '复制'}
                  </Button>
                ),
              },
            ]}
          />
          <div style={{ marginTop: 24, padding: 16, background: '#fafafa', borderRadius: 6 }}>
            <Typography.Paragraph strong>录入完成后，填写对方系统给出的编号</Typography.Paragraph>
            <Space.Compact style={{ width: '100%' }}>
              <Input value={targetNo} maxLength={64} onChange={(e) => setTargetNo(e.target.value)} placeholder="对方系统受理编号" data-testid="manual-target-no" onPressEnter={() => targetNo.trim() && void markEntered()} />
              <Button type="primary" loading={busy} disabled={!targetNo.trim()} onClick={() => void markEntered()}>
                已录入
              </Button>
            </Space.Compact>
          </div>
        </>
      )}
    </Drawer>
  );
}
