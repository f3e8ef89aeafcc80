import { useRef } from 'react';
import type { Corners } from './processor';

/** The detected outline over the live preview, with four corners the clerk can drag. */
export function CornerOverlay({ corners, width, height, onChange }: { corners: Corners; width: number; height: number; onChange: (c: Corners) => void }) {
  const svg = useRef<SVGSVGElement>(null);
  const dragging = useRef<number | null>(null);
  const toFrame = (e: React.PointerEvent) => {
    const r = svg.current!.getBoundingClientRect();
    return { x: ((e.clientX - r.left) / r.width) * width, y: ((e.clientY - r.top) / r.height) * height };
  };
  const handle = Math.max(width, height) / 60;
  return (
    <svg
      ref={svg}
      viewBox={`0 0 ${width} ${height}`}
      preserveAspectRatio="none"
      style={{ position: 'absolute', inset: 0, width: '100%', height: '100%', touchAction: 'none' }}
      data-testid="corner-overlay"
      data-corners={JSON.stringify(corners.map((p) => [Math.round(p.x * 10) / 10, Math.round(p.y * 10) / 10]))}
      onPointerMove={(e) => {
        if (dragging.current === null) return;
        const next = [...corners] as Corners;
        next[dragging.current] = toFrame(e);
        onChange(next);
      }}
      onPointerUp={() => (dragging.current = null)}
    >
      <polygon points={corners.map((p) => `${p.x},${p.y}`).join(' ')} fill="rgba(22,119,255,0.12)" stroke="#1677ff" strokeWidth={handle / 3} />
      {corners.map((p, i) => (
        <circle
          key={i}
          cx={p.x}
          cy={p.y}
          r={handle}
          fill="#fff"
          stroke="#1677ff"
          strokeWidth={handle / 3}
          style={{ cursor: 'grab' }}
          onPointerDown={(e) => {
            dragging.current = i;
            (e.target as Element).setPointerCapture(e.pointerId);
          }}
        />
      ))}
    </svg>
  );
}
