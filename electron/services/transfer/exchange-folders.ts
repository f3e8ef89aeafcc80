// Where a clerk may import transfer bundles from: inside an exchange folder — the drop folder the
// supervisor set (audited), or one the desk's IT department listed in desk-config.json
// (`exchangeFolders`, e.g. "/media" for USB drives, "E:\\交换"). Anything else is refused with ONE
// message, decided before the file system is touched, so the answer never says whether a path
// such as /etc/shadow exists (security probe, issue 15 point 8). Symbolic links are resolved
// afterwards and must stay inside the same folder.
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../app/app-error';
import { readDeskConfig } from '../../app/desk-config';

export const OUTSIDE_EXCHANGE_MESSAGE =
  '只能从交换文件夹导入交换包：该位置不在本机的交换文件夹（自动导入的交换文件夹，或 desk-config.json 中 exchangeFolders 所列的文件夹）之内，未导入。如需从其他位置导入，请联系管理员配置。';

/** The exchange folders of this desk, absolute, without duplicates. */
export function exchangeRoots(dataDir: string, dropFolder: string | null): string[] {
  const configured = readDeskConfig(dataDir).exchangeFolders ?? [];
  const all = [...(dropFolder ? [dropFolder] : []), ...configured].filter((f) => path.isAbsolute(f)).map((f) => path.resolve(f));
  return [...new Set(all)];
}

const norm = (p: string) => (process.platform === 'win32' ? p.toLowerCase() : p);
const inside = (p: string, root: string) => norm(p) === norm(root) || norm(p).startsWith(norm(root.endsWith(path.sep) ? root : root + path.sep));

/**
 * The folder to import from, resolved, or a refusal: FORBIDDEN with OUTSIDE_EXCHANGE_MESSAGE when
 * it is not inside an exchange folder (the same answer whether or not it exists), NOT_FOUND only
 * for a missing folder inside one.
 */
export function importFolderWithin(folder: string, roots: readonly string[]): string {
  const outside = (reason: string): never => {
    throw new AppError('FORBIDDEN', OUTSIDE_EXCHANGE_MESSAGE, { refused: reason, folder, exchangeFolders: roots });
  };
  if (!path.isAbsolute(folder)) outside('not an absolute path');
  const lexical = path.resolve(folder);
  const root = roots.find((r) => inside(lexical, r));
  if (!root) outside('outside every exchange folder (checked without touching the file system)');
  let real: string;
  let realRoot: string;
  try {
    realRoot = fs.realpathSync(root!);
  } catch {
    return outside(`exchange folder ${root} cannot be resolved`);
  }
  try {
    real = fs.realpathSync(lexical);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError('NOT_FOUND', `导入位置不存在：${folder}`);
    throw e;
  }
  if (!inside(real, realRoot)) outside(`resolves to ${real} outside ${realRoot} (symbolic link)`);
  return real;
}
