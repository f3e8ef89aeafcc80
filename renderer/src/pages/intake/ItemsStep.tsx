import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Input, Row, Space, Table, Tag, Typography } from 'antd';
import type { ServiceItemView } from '../../../../shared/ipc/contract';
import type { MethodOutput } from '../../../../shared/ipc/contract';
import { CERTIFICATE_METHODS, METHOD_LABELS } from '../../../../shared/domain/catalog';
import { call, DeskCallError } from '../../ipc/client';
import { MethodTag } from '../../components/MethodTag';

type Bundle = MethodOutput<'catalog.bundles'>[number];

/** Step 2: one or more service items (or a 一件事 bundle); shows the merged certificates before the case is created. */
export function ItemsStep({ applicantName, onStart }: { applicantName: string; onStart: (itemIds: number[], bundleCode?: string) => Promise<void> }) {
  const [items, setItems] = useState<ServiceItemView[]>([]);
  const [bundles, setBundles] = useState<Bundle[]>([]);
  const [selected, setSelected] = useState<number[]>([]);
  const [bundleCode, setBundleCode] = useState<string | undefined>();
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void call('catalog.listServiceItems', {}).then(setItems);
    void call('catalog.bundles', {}).then(setBundles);
  }, []);

  const shown = useMemo(() => items.filter((i) => !query || i.name.includes(query) || i.department.includes(query) || i.code.includes(query)), [items, query]);
  const merged = useMemo(() => {
    const m = new Map<number, ServiceItemView['certificates'][number]>();
    for (const i of items) if (selected.includes(i.id)) for (const c of i.certificates) m.set(c.id, c);
    return [...m.values()];
  }, [items, selected]);
  const listed = items.filter((i) => selected.includes(i.id)).reduce((a, i) => a + i.certificates.length, 0);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      await onStart(selected, bundleCode);
    } catch (e) {
      setError(e instanceof DeskCallError ? e.message : '创建办件失败');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Row gutter={16}>
      <Col xs={24} xl={15}>
        {bundles.length > 0 && (
          <Card title="一件事联办" size="small" style={{ marginBottom: 16 }}>
            <Space wrap>
              {bundles.map((b) => (
                <Button
                  key={b.code}
                  type={bundleCode === b.code ? 'primary' : 'default'}
                  onClick={() => {
                    setBundleCode(b.code);
                    setSelected(b.items.map((i) => i.id));
                  }}
                >
                  {b.name}（{b.items.length}项）
                </Button>
              ))}
            </Space>
          </Card>
        )}
        <Card title="选择办理事项" size="small" extra={<Input.Search allowClear placeholder="事项名称、部门或编码" onSearch={setQuery} style={{ width: 240 }} />}>
          <Table<ServiceItemView>
            rowKey="id"
            size="small"
            dataSource={shown}
            pagination={{ pageSize: 8 }}
            rowSelection={{
              selectedRowKeys: selected,
              onChange: (keys) => {
                setSelected(keys as number[]);
                setBundleCode(undefined);
              },
            }}
            columns={[
              { title: '事项名称', dataIndex: 'name' },
              { title: '实施部门', dataIndex: 'department' },
              { title: '所需证明', key: 'n', render: (_, r) => `${r.certificates.length} 项` },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} xl={9}>
        <Card title={`申请人：${applicantName}`} size="small">
          <Typography.Paragraph>
            已选 <b>{selected.length}</b> 个事项，清单列明证明 {listed} 项，合并去重后 <b data-testid="merged-count">{merged.length}</b> 项：
          </Typography.Paragraph>
          <Space wrap style={{ marginBottom: 12 }}>
            {CERTIFICATE_METHODS.map((m) => {
              const n = merged.filter((c) => c.method === m).length;
              return n ? <Tag key={m}>{METHOD_LABELS[m]} {n}</Tag> : null;
            })}
          </Space>
          <div style={{ maxHeight: 320, overflow: 'auto', marginBottom: 12 }}>
            {merged.map((c) => (
              <div key={c.id} style={{ display: 'flex', justifyContent: 'space-between', padding: '4px 0', borderBottom: '1px solid #f0f0f0' }}>
                <span>{c.name}</span>
                <MethodTag method={c.method} />
              </div>
            ))}
          </div>
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
          <Button type="primary" block disabled={selected.length === 0} loading={busy} onClick={() => void start()}>
            生成办件，逐项办理证明
          </Button>
        </Card>
      </Col>
    </Row>
  );
}
