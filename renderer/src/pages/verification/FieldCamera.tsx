import { useEffect, useRef, useState } from 'react';
import { Alert, Button, Space } from 'antd';
import { CameraOutlined } from '@ant-design/icons';

/** The laptop camera: live preview and a still as JPEG (base64) with the time it was taken. */
export function FieldCamera({ onShot, disabled }: { onShot: (jpegBase64: string, takenAt: string) => Promise<void>; disabled?: boolean }) {
  const video = useRef<HTMLVideoElement>(null);
  const [stream, setStream] = useState<MediaStream | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The first frame has arrived (a still before it would be empty). */
  const [ready, setReady] = useState(false);
  useEffect(() => () => stream?.getTracks().forEach((t) => t.stop()), [stream]);

  const open = async () => {
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 1280 }, height: { ideal: 960 } }, audio: false });
      setStream(s);
      setError(null);
      if (video.current) {
        video.current.srcObject = s;
        await video.current.play();
      }
    } catch (e) {
      setError(`无法打开摄像头：${(e as Error).name === 'NotAllowedError' ? '未获得摄像头权限' : '本机没有可用的摄像头'}`);
    }
  };

  const shoot = async () => {
    const v = video.current!;
    if (!v.videoWidth) return;
    const c = document.createElement('canvas');
    c.width = v.videoWidth;
    c.height = v.videoHeight;
    c.getContext('2d')!.drawImage(v, 0, 0);
    const b64 = c.toDataURL('image/jpeg', 0.88).split(',')[1]!;
    setBusy(true);
    try {
      await onShot(b64, new Date().toISOString());
    } finally {
      setBusy(false);
    }
  };

  return (
    <div>
      {error && <Alert type="warning" showIcon message={error} style={{ marginBottom: 8 }} />}
      <video ref={video} muted playsInline onPlaying={() => setReady(true)} data-testid="field-video" style={{ width: 320, height: 240, background: '#222', display: stream ? 'block' : 'none' }} />
      <Space style={{ marginTop: 8 }}>
        {!stream && <Button icon={<CameraOutlined />} onClick={() => void open()} disabled={disabled}>打开摄像头</Button>}
        {stream && <Button type="primary" icon={<CameraOutlined />} loading={busy} onClick={() => void shoot()} disabled={disabled || !ready} data-testid="field-shutter">拍照取证</Button>}
      </Space>
    </div>
  );
}
