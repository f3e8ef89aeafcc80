import { createScanClient, PREVIEW, type InitResult, type ScanClient } from '../../scan/scan-client';
import { PAGE_ENCODING, type Corners, type ScanProcessor } from './processor';

export interface OpencvProcessor extends ScanProcessor {
  /** Resolves once OpenCV has loaded in the worker; rejects when it cannot (then use the plain processor). */
  ready(): Promise<InitResult>;
}

/**
 * The capture screen's processor backed by the OpenCV scan worker (renderer/src/scan/): outline
 * detection on the reduced live frame, and at the shutter the warp of the full frame to a flat,
 * cropped page with the chosen mode and the blank-page check. Frames are handed to the worker
 * (transferred, not copied): the caller must not use them afterwards.
 */
export function createOpencvProcessor(client: ScanClient = createScanClient()): OpencvProcessor {
  return {
    name: 'opencv',
    ready: () => client.ready(),
    async detect(frame) {
      const r = await client.detect(frame, PREVIEW, { transfer: true });
      return (r.detection?.corners as Corners | undefined) ?? null;
    },
    async process(frame, corners, mode, call = {}) {
      // With `encode`, the worker writes the JPEG/PNG and thumbnail itself: no pixels come back.
      const encode = call.encode
        ? { type: call.encode, quality: PAGE_ENCODING.quality, thumbnail: { maxSide: PAGE_ENCODING.thumbMaxSide, quality: PAGE_ENCODING.thumbQuality } }
        : undefined;
      const r = await client.process(frame, { corners, mode, refineCorners: call.refineCorners ?? false, encode, returnPixels: !encode }, { transfer: true });
      const page = r.page;
      return {
        page: page ? new ImageData(page.data as Uint8ClampedArray<ArrayBuffer>, page.width, page.height) : null,
        width: r.width,
        height: r.height,
        ...(r.encoded && r.thumb ? { encoded: { bytes: r.encoded, thumb: r.thumb } } : {}),
        blank: r.blank,
        corners: (r.corners as Corners | null) ?? null,
      };
    },
  };
}

let shared: OpencvProcessor | null = null;
/** One worker (and one copy of OpenCV) for every capture screen of this window. */
export function sharedOpencvProcessor(): OpencvProcessor {
  shared ??= createOpencvProcessor();
  return shared;
}
