import { Tag } from 'antd';
import type { OutboxEntryView } from '../../../../shared/ipc/methods/sync';

/** 第 n 版, and the status change the revision tells the target of (终止办理, 撤销决定), if any. */
export function RevisionLabel({ entry }: { entry: Pick<OutboxEntryView, 'revision' | 'statusChange'> }) {
  return (
    <span style={{ whiteSpace: 'nowrap' }}>
      第 {entry.revision} 版
      {entry.statusChange && (
        <Tag color="red" style={{ marginLeft: 6 }} data-testid="revision-change">
          {entry.statusChange}
        </Tag>
      )}
    </span>
  );
}
