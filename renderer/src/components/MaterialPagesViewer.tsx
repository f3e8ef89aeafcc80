import { useState, type ReactNode } from 'react';
import { App, Image } from 'antd';
import { call, DeskCallError } from '../ipc/client';

/** A kept material's pages, by its id and page count (CaseCertificateView.materials, MaterialView). */
export interface MaterialPages {
  id: number;
  pages: number;
}

/**
 * Kept originals opened full size (intake's 查看原件, 申请人 › 材料库): every page of the given
 * materials, read through `materials.page`, in antd's image preview (zoom, rotate, next page).
 * Returns `show` and the viewer element the caller renders once.
 */
export function useMaterialPagesViewer(): { show: (title: string, materials: MaterialPages[]) => Promise<void>; viewer: ReactNode } {
  const { message } = App.useApp();
  const [open, setOpen] = useState<{ title: string; urls: string[] } | null>(null);

  async function show(title: string, materials: MaterialPages[]) {
    try {
      const urls: string[] = [];
      for (const m of materials) {
        for (let position = 0; position < m.pages; position++) {
          const img = await call('materials.page', { materialId: m.id, position });
          urls.push(`data:${img.mime};base64,${img.base64}`);
        }
      }
      setOpen({ title, urls });
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '原件图像读取失败');
    }
  }

  const viewer = (
    <div style={{ display: 'none' }}>
      <Image.PreviewGroup items={open?.urls ?? []} preview={{ open: open !== null, onOpenChange: (o) => !o && setOpen(null) }} />
    </div>
  );
  return { show, viewer };
}
