/**
 * The demo targets of `npm run sim`: the http targets of the demo hall's sync configuration
 * (electron/seed/demo-sync-targets.ts — same ids, ports and tokens), after the demo catalog's
 * departments. 市场监管 does NOT honour idempotency keys, so the desk's look-up-before-resend
 * path is exercised; 公安 is an extra target for trying faults by hand.
 */
import type { TargetConfig } from './types';

export const DEMO_CONTROL_PORT = 47809;

export const DEMO_TARGETS: TargetConfig[] = [
  { id: 'zwfw', name: '湖北省一体化政务服务平台（办件汇聚）', port: 47810, token: 'demo-zwfw', honourIdempotency: true, chunkSize: 1024 * 1024, caseNoPrefix: 'ZW' },
  { id: 'wsjk', name: '省卫生健康业务系统（省垂）', port: 47811, token: 'demo-wsjk', honourIdempotency: true, chunkSize: 512 * 1024, caseNoPrefix: 'WJ' },
  { id: 'scjg', name: '市场监管登记注册系统（国垂）', port: 47812, token: 'demo-scjg', honourIdempotency: false, chunkSize: 512 * 1024, caseNoPrefix: 'SC' },
  { id: 'gaj', name: '县公安局 人口管理信息系统（省垂）', port: 47813, token: 'demo-gaj', honourIdempotency: true, chunkSize: 1024 * 1024, caseNoPrefix: 'GA' },
];
