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
 * The clerk then records the number the target gave the case. A revision
 * that tells of a status change (终止办理, 撤销决定) says what to do in that
 * system, with the legal basis, reason and time copy-ready; the screen's
 * fields are shown too when the case was never entered there.
 */
export function ManualEntryDrawer({ entryId, onClose, onEntered }: { entryId: number | null; onClose: () => void; onEntered: () => void }) {
  const { message } = App.useApp();
  const [view, setView] = useState<View | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [targetNo, setTargetNo] = useState('');
  const [busy, setBusy] = useState(false);
  const [copied, setCopied] = useState<Set<string>>(new Set());

  useEffect(() => {
    setView(null);
    setError(null);
    setTargetNo('');
    setCopied(new Set());
    if (entryId === null) return;
    call('sync.manual.view', { entryId }).then(setView, (e) => setError(e instanceof DeskCallError ? e.message : String(e)));
  }, [entryId]);

  async function copy(text: string, what: string, key?: string) {
    if (await copyText(text)) {
      message.success(`已复制${what}`);
      if (key !== undefined) setCopied((s) => new Set(s).add(key));
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

  const change = view?.change ?? null;
  // A case already entered there only needs its status change done; otherwise the screen's fields come first.
  const showScreen = view !== null && (change === null || change.enteredAs === null);
  const copyAllFields = view ? (showScreen ? view.fields : (change?.fields ?? [])) : [];
  const allText = copyAllFields.map((f) => f.value).join('\t');
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
          {change && (
            <>
              <Alert
                type="warning"
                showIcon
                style={{ marginBottom: 16 }}
                data-testid="manual-change"
                title={`办件 ${view.entry.caseNo} 已${change.action}（第 ${view.entry.revision} 版），须在对方系统中同步办理`}
                description={change.instruction}
              />
              <FieldsTable fields={change.fields} testId="manual-change-fields" copiedKey="change" copied={copied} onCopy={copy} />
            </>
          )}
          {showScreen && (
            <>
              <Alert
                type="info"
                showIcon
                style={{ margin: change ? '16px 0' : '0 0 16px' }}
                title={`请打开对方系统的「${view.screen}」页面，按下列顺序逐项录入`}
                description={`办件 ${view.entry.caseNo} · ${view.entry.applicantName} · 第 ${view.entry.revision} 版。点击“复制”后在对方页面粘贴；“全部复制”按顺序以制表符分隔。`}
              />
              <FieldsTable fields={view.fields} testId="manual-fields" copiedKey="screen" copied={copied} onCopy={copy} />
            </>
          )}
          <div style={{ marginTop: 24, padding: 16, background: '#fafafa', borderRadius: 6 }}>
            <Typography.Paragraph strong>{change ? `在对方系统中办理“${change.action}”后，填写对方系统的编号` : '录入完成后，填写对方系统给出的编号'}</Typography.Paragraph>
            <Space.Compact style={{ width: '100%' }}>
              <Input value={targetNo} maxLength={64} onChange={(e) => setTargetNo(e.target.value)} placeholder="对方系统受理编号" data-testid="manual-target-no" onPressEnter={() => targetNo.trim() && void markEntered()} />
              <Button type="primary" loading={busy} disabled={!targetNo.trim()} onClick={() => void markEntered()}>
                {change ? '已办理' : '已录入'}
              </Button>
            </Space.Compact>
          </div>
        </>
      )}
    </Drawer>
  );
}

/** Copy-ready fields, in order, each with its own copy button (marked once copied). */
function FieldsTable({
  fields,
  testId,
  copiedKey,
  copied,
  onCopy,
}: {
  fields: Field[];
  testId: string;
  copiedKey: string;
  copied: Set<string>;
  onCopy: (text: string, what: string, key?: string) => Promise<void>;
}) {
  return (
    <Table<Field & { index: number }>
      rowKey="index"
      size="small"
      pagination={false}
      data-testid={testId}
      dataSource={fields.map((f, index) => ({ ...f, index }))}
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
          render: (_, f) => {
            const done = copied.has(`${copiedKey}-${f.index}`);
            return (
              <Button size="small" icon={<CopyOutlined />} type={done ? 'default' : 'primary'} ghost={!done} onClick={() => void onCopy(f.value, `“${f.label}”`, `${copiedKey}-${f.index}`)}>
                {done ? '已复制' : '复制'}
              </Button>
            );
          },
        },
      ]}
    />
  );
}
