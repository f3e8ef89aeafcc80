import { chinaDateTime } from './china-time';

/**
 * What a desk says about its copy of the hall's data (docs/hub.md, "Offline"): the time it last
 * read the hub's feed to its end, and how long ago that was — or that it never has, so a credit
 * record written at another window may not be known here yet.
 */
export function hallCopyMessage(syncedAt: string | null, now: Date): string {
  if (syncedAt === null) return '本机尚未从全厅中心取得全厅数据：其他窗口登记的信用记录本机可能尚不知晓。';
  const minutes = Math.max(0, Math.floor((now.getTime() - new Date(syncedAt).getTime()) / 60_000));
  const age = minutes < 1 ? '刚刚' : minutes < 60 ? `${minutes} 分钟前` : minutes < 48 * 60 ? `${Math.floor(minutes / 60)} 小时前` : `${Math.floor(minutes / 1440)} 天前`;
  return `全厅数据更新于 ${chinaDateTime(syncedAt)}（${age}）`;
}
