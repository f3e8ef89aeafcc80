import { forwardRef, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { Button, Space, Typography } from 'antd';

export interface SignaturePadHandle {
  /** PNG as base64, or null when nothing was drawn. */
  toPngBase64(): string | null;
  clear(): void;
}

/** On-screen signature (pen tablet, touch or mouse) on a white canvas. */
export const SignaturePad = forwardRef<SignaturePadHandle, { width?: number; height?: number; onChange?: (hasInk: boolean) => void }>(function SignaturePad(
  { width = 520, height = 180, onChange },
  ref,
) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const [ink, setInk] = useState(false);

  useEffect(() => {
    const ctx = canvas.current!.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
  }, [width, height]);

  const clear = () => {
    const ctx = canvas.current!.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, width, height);
    setInk(false);
    onChange?.(false);
  };

  useImperativeHandle(ref, () => ({
    toPngBase64: () => (ink ? canvas.current!.toDataURL('image/png').split(',')[1]! : null),
    clear,
  }));

  const point = (e: React.PointerEvent<HTMLCanvasElement>) => {
    const r = canvas.current!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) * width) / r.width, y: ((e.clientY - r.top) * height) / r.height };
  };

  return (
    <div>
      <canvas
        ref={canvas}
        width={width}
        height={height}
        data-testid="signature-pad"
        style={{ border: '1px dashed #8c8c8c', borderRadius: 6, touchAction: 'none', cursor: 'crosshair', maxWidth: '100%', background: '#fff' }}
        onPointerDown={(e) => {
          drawing.current = true;
          canvas.current!.setPointerCapture(e.pointerId);
          const ctx = canvas.current!.getContext('2d')!;
          const p = point(e);
          ctx.beginPath();
          ctx.moveTo(p.x, p.y);
        }}
        onPointerMove={(e) => {
          if (!drawing.current) return;
          const ctx = canvas.current!.getContext('2d')!;
          const p = point(e);
          ctx.lineWidth = 3;
          ctx.lineCap = 'round';
          ctx.strokeStyle = '#111a3a';
          ctx.lineTo(p.x, p.y);
          ctx.stroke();
          if (!ink) {
            setInk(true);
            onChange?.(true);
          }
        }}
        onPointerUp={() => (drawing.current = false)}
      />
      <Space style={{ marginTop: 4 }}>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          请申请人本人在框内签名（他人不得代签）
        </Typography.Text>
        <Button size="small" onClick={clear}>
          重写
        </Button>
      </Space>
    </div>
  );
});
