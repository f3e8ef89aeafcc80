import { useState } from 'react';
import { Typography } from 'antd';
import { useDesk } from '../state/desk-store';

/**
 * A technical value (a hash, a format version) is not for the window: clerks and assistants never
 * see it; a supervisor sees a small 详情 that shows it (issue 16). One place for the rule, so every
 * screen hides the same things the same way.
 */
export function TechValue({ label, value }: { label: string; value: string }) {
  const role = useDesk((s) => s.session?.user.role);
  const [open, setOpen] = useState(false);
  if (role !== 'supervisor') return null;
  return (
    <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="tech-value">
      {open ? (
        <>
          {label}：{value}
        </>
      ) : (
        <a onClick={() => setOpen(true)}>详情</a>
      )}
    </Typography.Text>
  );
}
