// A scan page's own rules on top of the one image check (services/images/image-check.ts): the
// page's size as the capture declared it, a shortest side a person can read, a document's aspect,
// the thumbnail's size.
import { AppError } from '../../app/app-error';
import { SCAN_LIMITS } from '../../../shared/ipc/methods/scans';
import { checkImageBase64, type CheckedImage, type ImageMime } from '../images/image-check';

export type { CheckedImage, ImageMime } from '../images/image-check';

const MAX_ASPECT = 12;

/**
 * Checks one uploaded scan image; throws BAD_INPUT with a specific Chinese message.
 * `what` names it in the message (“页面图像”, “原始画面”, “缩略图”).
 */
export function checkImage(
  input: { mime: ImageMime; base64: string },
  what: string,
  opts: { declared?: { width: number; height: number }; maxBytes: number; maxSide: number; minSide: number },
): CheckedImage {
  const img = checkImageBase64(input.base64, what, { maxBytes: opts.maxBytes, declaredMime: input.mime });
  const { width, height } = img;
  if (Math.min(width, height) < opts.minSide) throw new AppError('BAD_INPUT', `${what}太小（${width}×${height} 像素），无法辨认，请重新拍摄。`, { what, width, height });
  if (Math.max(width, height) > opts.maxSide) {
    throw new AppError('BAD_INPUT', `${what}尺寸过大（${width}×${height} 像素），请降低分辨率后重试。`, { what, width, height });
  }
  if (Math.max(width, height) / Math.min(width, height) > MAX_ASPECT) {
    throw new AppError('BAD_INPUT', `${what}的长宽比异常（${width}×${height} 像素），不像是文档页面，请检查裁切。`, { what, width, height });
  }
  if (opts.declared && (opts.declared.width !== width || opts.declared.height !== height)) {
    throw new AppError('BAD_INPUT', `${what}的尺寸与声明不符（声明 ${opts.declared.width}×${opts.declared.height}，实际 ${width}×${height} 像素）。`, {
      what,
      declared: opts.declared,
      width,
      height,
    });
  }
  return img;
}

export const PAGE_CHECK = { maxBytes: SCAN_LIMITS.maxPageBytes, maxSide: SCAN_LIMITS.maxSide, minSide: SCAN_LIMITS.minSide };
export const THUMB_CHECK = { maxBytes: SCAN_LIMITS.maxThumbBytes, maxSide: SCAN_LIMITS.maxThumbSide, minSide: 16 };
