import { useEffect, useMemo, useState } from 'react';
import { Alert, Button, Card, Col, Input, Radio, Row, Space, Table, Tag, Typography } from 'antd';
import type { ServiceItemView } from '../../../../shared/ipc/contract';
import type { MethodOutput } from '../../../../shared/ipc/contract';
import { CERTIFICATE_METHODS, METHOD_LABELS } from '../../../../shared/domain/catalog';
import { call, DeskCallError } from '../../ipc/client';
import { useDraft } from '../../drafts/use-draft';
import { MethodTag } from '../../components/MethodTag';
import {
  answerLabel,
  answersWithDefaults,
  planCertificates,
  questionsFor,
  type CertificateCondition,
  type CertificatePlan,
  type CircumstanceQuestion,
} from '../../../../shared/rules/certificate-resolution';

type Bundle = MethodOutput<'catalog.bundles'>[number];

type Cert = ServiceItemView['certificates'][number];

interface ItemsDraft {
  selected: number[];
  bundleCode: string | undefined;
  given: Record<string, boolean>;
}

/**
 * Step 2: one or more service items (or a 一件事 bundle) and, once per case, the circumstance
 * questions their certificates depend on; shows the certificates the case will list — by the same
 * rule the main side applies (shared/rules/certificate-resolution.ts) — before the case is created.
 */
export function ItemsStep({
  owner,
  applicantName,
  onStart,
}: {
  owner: string;
  applicantName: string;
  onStart: (itemIds: number[], bundleCode: string | undefined, circumstances: Record<string, boolean>) => Promise<void>;
}) {
  const [items, setItems] = useState<ServiceItemView[]>([]);
  const [bundles, setBundles] = useState<Bundle[]>([]);
  const [selected, setSelected] = useState<number[]>([]);
  const [bundleCode, setBundleCode] = useState<string | undefined>();
  const [query, setQuery] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [given, setGiven] = useState<Record<string, boolean>>({});
  // The ticked items, the bundle and the answers survive a reload (IndexedDB) until the case is made.
  const draft = useDraft(owner, 'intake.items');

  useEffect(() => {
    void call('catalog.listServiceItems', {}).then(setItems);
    void call('catalog.bundles', {}).then(setBundles);
  }, []);

  useEffect(() => {
    if (!draft.ready || !draft.restored) return;
    const d = draft.restored as unknown as ItemsDraft;
    setSelected(d.selected ?? []);
    setBundleCode(d.bundleCode);
    setGiven(d.given ?? {});
    // Only once, when the draft has been read.
  }, [draft.ready]);

  function choose(next: ItemsDraft) {
    setSelected(next.selected);
    setBundleCode(next.bundleCode);
    setGiven(next.given);
    void draft.save(next as unknown as Record<string, unknown>);
  }

  /** Ticks or unticks one item (its checkbox or anywhere on its row); a bundle chosen before becomes a free choice. */
  function toggle(id: number) {
    choose({ selected: selected.includes(id) ? selected.filter((x) => x !== id) : [...selected, id], bundleCode: undefined, given });
  }

  const shown = useMemo(() => items.filter((i) => !query || i.name.includes(query) || i.department.includes(query) || i.code.includes(query)), [items, query]);
  // The chosen items in the order the case will have them (a bundle's order, else the order chosen).
  const chosen = useMemo(() => selected.map((id) => items.find((i) => i.id === id)).filter((i): i is ServiceItemView => i !== undefined), [items, selected]);
  const preview = useMemo(() => {
    const certs = new Map<number, Cert>();
    for (const i of chosen) for (const c of i.certificates) certs.set(c.id, c);
    const conditions = new Map<number, CertificateCondition>(
      [...certs.values()].map((c) => [c.id, { id: c.id, circumstanceCode: c.circumstance?.code ?? null, appliesWhen: c.circumstance?.appliesWhen ?? null }]),
    );
    // The catalog's questions in its order.
    const all = new Map<string, CircumstanceQuestion & { position: number }>();
    for (const c of certs.values()) if (c.circumstance) all.set(c.circumstance.code, { ...c.circumstance });
    const questions = questionsFor(conditions.values(), [...all.values()].sort((a, b) => a.position - b.position));
    const answers = answersWithDefaults(questions, given);
    const plans = planCertificates(
      chosen.map((i) => ({ name: i.name, certificateIds: i.certificates.map((c) => c.id), produces: i.produces.map((o) => o.id) })),
      conditions,
      questions,
      answers,
    );
    const rows = [...plans].map(([id, plan]) => ({ cert: certs.get(id)!, plan }));
    return { questions, answers, rows, demanded: rows.filter((r) => r.plan.applicability === 'applies') };
  }, [chosen, given]);
  const listed = chosen.reduce((a, i) => a + i.certificates.length, 0);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      await onStart(selected, bundleCode, Object.fromEntries(preview.answers));
      await draft.clear();
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
                  onClick={() => choose({ selected: b.items.map((i) => i.id), bundleCode: b.code, given })}
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
              onChange: (keys) => choose({ selected: keys as number[], bundleCode: undefined, given }),
            }}
            onRow={(r) => ({
              onClick: (e) => {
                // The checkbox cell handles its own clicks.
                if ((e.target as HTMLElement).closest('.ant-table-selection-column')) return;
                toggle(r.id);
              },
              style: { cursor: 'pointer' },
            })}
            columns={[
              { title: '事项名称', dataIndex: 'name' },
              { title: '实施部门', dataIndex: 'department' },
              { title: '所需证明', key: 'n', render: (_, r) => `${r.certificates.length} 项` },
            ]}
          />
        </Card>
      </Col>
      <Col xs={24} xl={9}>
        {preview.questions.length > 0 && (
          <Card title="适用情形（每件询问一次）" size="small" style={{ marginBottom: 16 }} data-testid="circumstances">
            {preview.questions.map((q) => (
              <div key={q.code} style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', padding: '4px 0' }}>
                <span>{q.question}</span>
                <Radio.Group
                  aria-label={q.question}
                  optionType="button"
                  size="small"
                  value={preview.answers.get(q.code)}
                  onChange={(e) => choose({ selected, bundleCode, given: { ...given, [q.code]: e.target.value as boolean } })}
                  options={[
                    { value: true, label: '是' },
                    { value: false, label: '否' },
                  ]}
                />
              </div>
            ))}
          </Card>
        )}
        <Card title={`申请人：${applicantName}`} size="small">
          <Typography.Paragraph>
            已选 <b>{selected.length}</b> 个事项，清单列明证明 {listed} 项，合并去重后需办理 <b data-testid="merged-count">{preview.demanded.length}</b> 项
            {preview.rows.length > preview.demanded.length ? `（另有 ${preview.rows.length - preview.demanded.length} 项不涉及或由本件产生）` : ''}：
          </Typography.Paragraph>
          <Space wrap style={{ marginBottom: 12 }}>
            {CERTIFICATE_METHODS.map((m) => {
              const n = preview.demanded.filter((r) => r.cert.method === m).length;
              return n ? <Tag key={m}>{METHOD_LABELS[m]} {n}</Tag> : null;
            })}
          </Space>
          <div style={{ maxHeight: 320, overflow: 'auto', marginBottom: 12 }} data-testid="merged-list">
            {preview.rows.map(({ cert, plan }) => (
              <div key={cert.id} style={{ display: 'flex', justifyContent: 'space-between', padding: '4px 0', borderBottom: '1px solid #f0f0f0' }}>
                <Typography.Text type={plan.applicability === 'applies' ? undefined : 'secondary'} delete={plan.applicability === 'not_applicable'}>
                  {cert.name}
                </Typography.Text>
                {plan.applicability === 'applies' ? <MethodTag method={cert.method} /> : <Tag>{planLabel(plan)}</Tag>}
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

function planLabel(plan: CertificatePlan): string {
  if (plan.applicability === 'not_applicable') return `不涉及（${plan.question}：${answerLabel(plan.answer)}）`;
  if (plan.applicability === 'produced') return '由本件产生';
  return '';
}
