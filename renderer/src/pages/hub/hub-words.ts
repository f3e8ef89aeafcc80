import type { HubLinkView } from '../../../../shared/ipc/methods/hub';
import { shortTime } from '../../lib/time';

/** The link's state in the words a clerk reads: 已连接 / 无法连接（自 10:05 起） / 已被拒绝：<the hub's reason>. */
export function linkWords(h: HubLinkView, nowMs: number): { color: 'success' | 'error' | 'warning' | 'default'; text: string } {
  switch (h.state) {
    case 'connected':
      return { color: 'success', text: '已连接' };
    case 'unreachable':
      return { color: 'warning', text: `无法连接（自 ${shortTime(h.since, nowMs)} 起）` };
    case 'refused':
      return { color: 'error', text: `已被拒绝：${h.reason ?? '全厅中心拒绝了本工作台'}` };
    default:
      return { color: 'default', text: '尚未连接' };
  }
}
