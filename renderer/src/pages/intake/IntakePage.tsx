import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Card, Descriptions, Space, Spin, Steps, Tag, Typography } from 'antd';
import type { CaseView } from '../../../../shared/ipc/methods/intake';
import { CASE_STATUS_LABELS } from '../../../../shared/rules/case-states';
import { call, DeskCallError } from '../../ipc/client';
import { useDraft } from '../../drafts/use-draft';
import { clearDraft } from '../../drafts/draft-db';
import { useDesk } from '../../state/desk-store';
import { ApplicantStep } from './ApplicantStep';
import { CreditBlockAlert } from './CreditBlockAlert';
import { ItemsStep } from './ItemsStep';
import { CertificatesStep } from './CertificatesStep';
import { AcceptStep } from './AcceptStep';
import { CaseSyncSection } from '../sync/CaseSyncSection';
import { isNotDemanded } from '../../../../shared/rules/certificate-resolution';

interface IntakeDraft {
  applicantId?: number;
  applicantName?: string;
  caseId?: number;
  step?: number;
  /** A case opened from 办件查询 that is past intake: shown, never edited here, never saved as the draft. */
  readOnly?: boolean;
}

/**
 * The window's intake (收件/受理) in four steps. Every step is saved on the
 * main side as soon as it is done (the case is a draft from step 2 on); the
 * position in the flow is kept as a draft so a reload or a crash resumes here.
 */
export function IntakePage() {
  const user = useDesk((s) => s.session!.user);
  const openCaseId = useDesk((s) => s.openCaseId);
  const clearOpenCase = useDesk((s) => s.clearOpenCase);
  const draft = useDraft(user.username, 'intake.current');
  const [state, setState] = useState<IntakeDraft>({});
  const [view, setView] = useState<CaseView | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Nothing is shown until the draft has been read: otherwise the applicant search flashes up and
  // is replaced by the resumed case a moment later (a clerk could start typing into it).
  const [restoredOnce, setRestoredOnce] = useState(false);

  const update = useCallback(
    (next: IntakeDraft) => {
      setState(next);
      void draft.save(next as Record<string, unknown>);
    },
    [draft],
  );

  useEffect(() => {
    if (!draft.ready) return;
    if (openCaseId) {
      // Opened from 办件查询 (or the sync screens): a case still in intake resumes here; one taken
      // further is shown read-only and never becomes this window's intake draft.
      clearOpenCase();
      const caseId = openCaseId;
      call('intake.get', { caseId }).then(
        (v) => {
          setView(v);
          if (v.status === 'draft') update({ caseId, step: 2 });
          else setState({ caseId, step: 3, readOnly: true });
          setRestoredOnce(true);
        },
        (e) => {
          setError(e instanceof DeskCallError ? e.message : String(e));
          setRestoredOnce(true);
        },
      );
      return;
    }
    const restored = (draft.restored ?? {}) as IntakeDraft;
    if (!restored.caseId) {
      setState(restored);
      setRestoredOnce(true);
      return;
    }
    call('intake.get', { caseId: restored.caseId }).then(
      (v) => {
        // A case already accepted (or refused) is done at this window: 受理办件 begins the next one.
        if (v.status !== 'draft') void draft.clear();
        else {
          setView(v);
          setState(restored);
        }
        setRestoredOnce(true);
      },
      (e) => {
        setError(e instanceof DeskCallError ? e.message : String(e));
        setRestoredOnce(true);
      },
    );
    // Only once, when the draft has been read.
  }, [draft.ready]);

  /** A case leaves intake (accepted, refused): it stays on screen, but is no longer the draft to resume. */
  function changed(v: CaseView) {
    setView(v);
    if (v.status !== 'draft' && !state.readOnly) void draft.clear();
  }

  const step = state.step ?? 0;

  async function startCase(itemIds: number[], bundleCode: string | undefined, circumstances: Record<string, boolean>) {
    const v = await call('intake.start', { applicantId: state.applicantId!, serviceItemIds: itemIds, circumstances, ...(bundleCode ? { bundleCode } : {}) });
    setView(v);
    update({ ...state, caseId: v.id, step: 2 });
    toTop();
  }

  async function newIntake() {
    setView(null);
    setError(null);
    // A case only looked at leaves this window's own intake draft alone (办件查询 lists it as 继续办理).
    if (!state.readOnly) {
      await draft.clear();
      await clearDraft(user.username, 'intake.items');
    }
    setState({});
  }

  if (!restoredOnce) {
    return (
      <div data-testid="intake-page">
        <Spin tip="正在恢复上次的办件…">
          <div style={{ minHeight: 120 }} />
        </Spin>
      </div>
    );
  }

  return (
    <div data-testid="intake-page">
      <Card size="small" style={{ marginBottom: 16 }}>
        <Space style={{ width: '100%', justifyContent: 'space-between' }} wrap>
          <Steps
            size="small"
            current={state.readOnly ? 3 : step}
            style={{ minWidth: 560 }}
            items={[
              { title: '申请人', description: state.applicantName ?? view?.applicant.name },
              { title: '办理事项', description: view ? `${view.items.length} 项` : undefined },
              // A check mark only once every certificate is settled (办妥), whatever step the clerk is on.
              {
                title: '证明办理',
                description: view ? `${settled(view)}/${demandedCount(view)}` : undefined,
                ...(view && view.blockers.length > 0 && step > 2 ? { status: 'wait' as const } : {}),
              },
              { title: '受理' },
            ]}
          />
          {view && (
            <Space>
              <Typography.Text copyable data-testid="case-no">
                {view.caseNo}
              </Typography.Text>
              <Tag color={view.status === 'draft' ? 'default' : 'blue'} data-testid="case-status">
                {CASE_STATUS_LABELS[view.status]}
              </Tag>
              <Button size="small" onClick={() => void newIntake()}>
                新办件
              </Button>
            </Space>
          )}
        </Space>
      </Card>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
      {step > 0 && (view?.applicant.id ?? state.applicantId) !== undefined && <CreditBlockAlert applicantId={(view?.applicant.id ?? state.applicantId)!} />}
      {step === 0 && <ApplicantStep owner={user.username} onChosen={(a) => update({ applicantId: a.id, applicantName: a.name, step: 1 })} />}
      {step === 1 && (
        <>
          <Button type="link" onClick={() => update({ step: 0 })} style={{ paddingLeft: 0 }}>
            ← 重新选择申请人
          </Button>
          <ItemsStep owner={user.username} applicantName={state.applicantName ?? ''} onStart={startCase} />
        </>
      )}
      {step >= 2 && view && (
        <>
          <Descriptions size="small" column={4} style={{ marginBottom: 12 }}>
            <Descriptions.Item label="申请人">{view.applicant.name}</Descriptions.Item>
            <Descriptions.Item label="证件号码">{view.applicant.idNumberMasked}</Descriptions.Item>
            <Descriptions.Item label="事项">{view.bundleName ?? view.items.map((i) => i.name).join('、')}</Descriptions.Item>
            <Descriptions.Item label="清单版本">{view.catalogVersion.label}</Descriptions.Item>
          </Descriptions>
          {state.readOnly ? (
            <>
              <Alert type="info" showIcon style={{ marginBottom: 12 }} data-testid="case-read-only" title={`本件${CASE_STATUS_LABELS[view.status]}，仅供查看；受理新的办件请点击“新办件”。`} />
              <CertificatesStep view={view} onChange={changed} readOnly />
              <div style={{ marginTop: 16 }}>
                <AcceptStep view={view} onChange={changed} onNew={() => void newIntake()} />
              </div>
            </>
          ) : step === 2 ? (
            <>
              <CertificatesStep
                view={view}
                onChange={changed}
                onSettled={() => {
                  update({ ...state, step: 3 });
                  toTop();
                }}
              />
              <div style={{ marginTop: 16, textAlign: 'right' }}>
                <Button type="primary" onClick={() => update({ ...state, step: 3 })} data-testid="to-accept">
                  下一步：受理
                </Button>
              </div>
            </>
          ) : (
            <>
              {view.status === 'draft' && (
                <Button type="link" onClick={() => update({ ...state, step: 2 })} style={{ paddingLeft: 0 }}>
                  ← 返回证明办理
                </Button>
              )}
              <AcceptStep view={view} onChange={changed} onNew={() => void newIntake()} />
            </>
          )}
          {view.status !== 'draft' && <CaseSyncSection caseId={view.id} />}
        </>
      )}
    </div>
  );
}

/** A new step starts at the top of the page (where the steps and the bulk buttons are), not where the last click was. */
function toTop() {
  requestAnimationFrame(() => {
    document.querySelector('.desk-content')?.scrollTo({ top: 0 });
    window.scrollTo({ top: 0 });
  });
}

function demandedCount(v: CaseView): number {
  return v.certificates.filter((c) => !isNotDemanded(c.state)).length;
}

/** Demanded certificates settled: the blockers are exactly the demanded ones not yet settled. */
function settled(v: CaseView): number {
  return demandedCount(v) - v.blockers.length;
}
