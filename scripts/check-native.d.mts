export interface NativeInfo {
  format: 'elf' | 'pe';
  arch: string;
  glibc: string | null;
}
export function compareVersions(a: string, b: string): number;
export function inspectNative(buf: Buffer): NativeInfo;
export function problems(info: NativeInfo, want?: { arch?: string; maxGlibc?: string }): string[];
