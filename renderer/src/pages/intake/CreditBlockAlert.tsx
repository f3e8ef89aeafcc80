import { useEffect, useState } from 'react';
import { Alert, Space, Typography } from 'antd';
import type { CreditBlockView, HallCopyView } from '../../../../shared/ipc/methods/applicants';
import { call } from '../../ipc/client';
import { HallCopyNote } from './HallCopyNote';

const KIND_LABELS: Record<CreditBlockView['kind'], string> = { bad_credit: '严重失信', false_commitment: '虚假承诺' };

/**
 * Shown as soon as the applicant is chosen: whether the applicant (and an organisation's signer)
 * may use 告知承诺, from the same rule the commitment step refuses by (credit-check.ts).
 */
export function CreditBlockAlert({ applicantId, showEligible = false }: { applicantId: number; /** Also say so when they may commit (申请人 › 信用状况). */ showEligible?: boolean }) {
  const [status, setStatus] = useState<{ eligible: boolean; blocks: CreditBlockView[]; signerMissing: boolean; hallCopy?: HallCopyView } | null>(null);
  useEffect(() => {
    let live = true;
    void call('applicants.creditStatus', { id: applicantId }).then((s) => live && setStatus(s));
    return () => {
      live = false;
    };
  }, [applicantId]);
  if (!status) return null;
  return (
    <>
      <HallCopyNote hallCopy={status.hallCopy} />
      {status.eligible && showEligible && (
        <Alert type="success" showIcon style={{ marginBottom: 12 }} data-testid="credit-eligible" title="无未修复的失信或虚假承诺记录，可以适用告知承诺" />
      )}
      {!status.eligible && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="credit-block"
          title="不得适用告知承诺，须提交证明材料（信用修复后方可承诺）"
          description={
            <Space direction="vertical" size={2}>
              {status.blocks.map((b, i) => (
                <div key={i}>
                  <Typography.Text strong>
                    {b.roleLabel} {b.name}（{b.idNumberMasked}）
                  </Typography.Text>
                  ：{KIND_LABELS[b.kind]}（{b.severity}）— {b.reason}。来源：{b.source}，记录于 {b.recordedAt.slice(0, 10)}
                </div>
              ))}
            </Space>
          }
        />
      )}
      {status.signerMissing && (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} data-testid="signer-missing" title="该单位尚未登记签署人（法定代表人或经办人），信用核查只覆盖单位本身；请在“申请人”中补充。" />
      )}
    </>
  );
}
