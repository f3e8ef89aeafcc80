/**
 * `<dataDir>/desk-config.json`: what a desk's IT department sets once per machine, where a desktop
 * shortcut cannot set environment variables. Read by the hosts' entry points (electron/main.ts,
 * host/host-main.ts), which pass the addresses to createApp's options; environment variables still
 * override it. A missing file is an empty configuration; a bad one stops the start with a Chinese
 * message naming the file and the field (nothing is guessed).
 *
 *   {
 *     "cameraVendorUrl": "http://127.0.0.1:38088",   // the vendor document-camera service (高拍仪)
 *     "dataSharingUrl": "http://10.1.2.3:8080",       // the data-sharing platform (数据共享)
 *     "hardwareAcceleration": false,                  // Electron only: off for desks whose GPU never paints
 *     "exchangeFolders": ["/media", "E:\\交换"]        // 内外网交换: where bundles may be imported from by hand
 *   }
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const DESK_CONFIG_FILE = 'desk-config.json';

const httpUrl = (what: string) =>
  z
    .string()
    .trim()
    .refine((v) => {
      try {
        const u = new URL(v);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    }, `${what}必须是以 http:// 或 https:// 开头的完整地址`);

export const DeskConfig = z.strictObject({
  cameraVendorUrl: httpUrl('高拍仪厂商服务地址（cameraVendorUrl）').optional(),
  dataSharingUrl: httpUrl('数据共享平台地址（dataSharingUrl）').optional(),
  hardwareAcceleration: z.boolean({ error: 'hardwareAcceleration 必须是 true 或 false' }).optional(),
  /** Folders (and everything inside them) transfer bundles may be imported from by hand, besides the drop folder (services/transfer/exchange-folders.ts). */
  exchangeFolders: z
    .array(z.string().trim().min(1).refine((f) => path.isAbsolute(f), '交换文件夹（exchangeFolders）必须是完整路径，如 /media 或 E:\\交换'), { error: 'exchangeFolders 必须是文件夹路径的列表' })
    .max(20)
    .optional(),
});
export type DeskConfig = z.infer<typeof DeskConfig>;

export class DeskConfigError extends Error {
  constructor(
    readonly file: string,
    readonly userMessage: string,
    englishReason: string,
  ) {
    super(`${file}: ${englishReason}`);
    this.name = 'DeskConfigError';
  }
}

export function deskConfigPath(dataDir: string): string {
  return path.join(dataDir, DESK_CONFIG_FILE);
}

export function readDeskConfig(dataDir: string): DeskConfig {
  const file = deskConfigPath(dataDir);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new DeskConfigError(file, `无法读取配置文件 ${file}：${(e as Error).message}`, `cannot read: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new DeskConfigError(file, `配置文件 ${file} 不是有效的 JSON（${(e as Error).message}），请改正后再启动。`, `not JSON: ${(e as Error).message}`);
  }
  const parsed = DeskConfig.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => {
      if (i.code === 'unrecognized_keys') return `不认识的设置项 ${i.keys.join('、')}`;
      if (i.path.length === 0) return '文件内容必须是一个 JSON 对象';
      return i.message;
    });
    const english = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`).join('; ');
    throw new DeskConfigError(file, `配置文件 ${file} 有误：${issues.join('；')}。请改正后再启动。`, english);
  }
  return parsed.data;
}

/** The outside addresses createApp gets: an environment variable wins over the file. */
export function deskAddresses(config: DeskConfig, env: Readonly<Record<string, string | undefined>>): { cameraVendor?: string; dataSharing?: string } {
  const cameraVendor = env.DESK_CAMERA_VENDOR_URL || config.cameraVendorUrl;
  const dataSharing = env.DESK_DATA_SHARING_URL || config.dataSharingUrl;
  return { ...(cameraVendor ? { cameraVendor } : {}), ...(dataSharing ? { dataSharing } : {}) };
}
