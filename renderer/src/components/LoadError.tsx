import { Alert, Button } from 'antd';

/** A failed load, said in Chinese above the list it left empty, with a retry. */
export function LoadError({ error, retry }: { error: string | null; retry?: () => void }) {
  if (!error) return null;
  return (
    <Alert
      type="error"
      showIcon
      style={{ marginBottom: 12 }}
      title={error}
      action={retry ? <Button size="small" onClick={retry}>重试</Button> : undefined}
      data-testid="load-error"
    />
  );
}
