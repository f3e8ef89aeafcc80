/** Reads a File/Blob as base64 (without the data: prefix). */
/**
 * The blob's bytes in base64, encoded by the browser (a data: URL read by FileReader: native code,
 * some 5-10× faster than building a binary string for btoa on a 0.3-1 MB page; bench/README.md).
 */
export async function blobToBase64(blob: Blob): Promise<string> {
  if (typeof FileReader === 'undefined') {
    // Not a browser (Node): the same through Buffer-free btoa.
    const buf = new Uint8Array(await blob.arrayBuffer());
    let bin = '';
    for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
    return btoa(bin);
  }
  const url = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as string);
    reader.onerror = () => reject(reader.error ?? new Error('读取文件失败'));
    reader.readAsDataURL(blob);
  });
  // "data:<type>;base64,<data>"
  return url.slice(url.indexOf(',') + 1);
}

/** Base64 (no data: prefix) back to its bytes. */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

export function base64ToBlob(b64: string, mime: string): Blob {
  return new Blob([base64ToBytes(b64)], { type: mime });
}

/** Saves a file through the browser's download (Electron shows its save dialog). */
export function downloadBase64(b64: string, mime: string, fileName: string): void {
  const url = URL.createObjectURL(base64ToBlob(b64, mime));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
