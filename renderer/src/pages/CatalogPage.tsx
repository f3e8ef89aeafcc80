import { useEffect, useState } from 'react';
import { Card, Input, Select, Space, Table, Tabs, Tag, Typography } from 'antd';
import type { CertificateItemView, ServiceItemView } from '../../../shared/ipc/contract';
import { CERTIFICATE_METHODS, METHOD_LABELS, type CertificateMethod } from '../../../shared/domain/catalog';
import { call } from '../ipc/client';
import { MethodTag } from '../components/MethodTag';

function ServiceItems() {
  const [rows, setRows] = useState<ServiceItemView[]>([]);
  const [query, setQuery] = useState('');
  useEffect(() => {
    void call('catalog.listServiceItems', { query: query || undefined }).then(setRows);
  }, [query]);
  return (
    <>
      <Input.Search allowClear placeholder="按事项名称、编码或部门查找" style={{ width: 320, marginBottom: 12 }} onSearch={setQuery} />
      <Table<ServiceItemView>
        rowKey="id"
        size="middle"
        dataSource={rows}
        pagination={{ pageSize: 12 }}
        expandable={{
          expandedRowRender: (item) => (
            <Table<CertificateItemView>
              rowKey="id"
              size="small"
              pagination={false}
              dataSource={item.certificates}
              columns={[
                { title: '所需证明', dataIndex: 'name' },
                { title: '处理方式', dataIndex: 'method', render: (m: CertificateMethod) => <MethodTag method={m} /> },
                { title: '窗口做法', dataIndex: 'methodNote' },
              ]}
            />
          ),
        }}
        columns={[
          { title: '事项名称', dataIndex: 'name', render: (v: string, r) => (<Space direction="vertical" size={0}><span>{v}</span><Typography.Text type="secondary" style={{ fontSize: 12 }}>{r.code}</Typography.Text></Space>) },
          { title: '实施部门', dataIndex: 'department' },
          { title: '事项类型', dataIndex: 'kind' },
          { title: '承诺时限', dataIndex: 'timeLimitDays', render: (d: number) => (d === 0 ? '即办' : `${d} 个工作日`) },
          { title: '所需证明', key: 'certs', render: (_, r) => `${r.certificates.length} 项` },
          { title: '联办', dataIndex: 'bundles', render: (b: string[]) => b.map((n) => <Tag key={n} color="cyan">{n}</Tag>) },
        ]}
      />
    </>
  );
}

function CertificateItems() {
  const [rows, setRows] = useState<CertificateItemView[]>([]);
  const [query, setQuery] = useState('');
  const [method, setMethod] = useState<CertificateMethod | undefined>();
  useEffect(() => {
    void call('catalog.listCertificateItems', { query: query || undefined, method }).then(setRows);
  }, [query, method]);
  return (
    <>
      <Space style={{ marginBottom: 12 }}>
        <Input.Search allowClear placeholder="按证明名称、编码或开具单位查找" style={{ width: 320 }} onSearch={setQuery} />
        <Select
          allowClear
          placeholder="处理方式"
          style={{ width: 180 }}
          value={method}
          onChange={setMethod}
          options={CERTIFICATE_METHODS.map((m) => ({ value: m, label: METHOD_LABELS[m] }))}
        />
      </Space>
      <Table<CertificateItemView>
        rowKey="id"
        size="middle"
        dataSource={rows}
        pagination={{ pageSize: 12 }}
        columns={[
          { title: '证明名称', dataIndex: 'name' },
          { title: '开具单位', dataIndex: 'issuer' },
          { title: '处理方式', dataIndex: 'method', render: (m: CertificateMethod) => <MethodTag method={m} /> },
          { title: '设定依据', dataIndex: 'legalBasis', ellipsis: true },
          { title: '窗口做法', dataIndex: 'methodNote', ellipsis: true },
        ]}
      />
    </>
  );
}

export function CatalogPage() {
  return (
    <Card title="事项与证明清单" data-testid="catalog-page">
      <Tabs
        items={[
          { key: 'items', label: '政务服务事项', children: <ServiceItems /> },
          { key: 'certs', label: '证明事项清单', children: <CertificateItems /> },
        ]}
      />
    </Card>
  );
}
