import fs from 'node:fs';
import path from 'node:path';

/** What an ID card's chip holds (the photo is left out until a vendor adapter supplies it). */
export interface IdCardData {
  name: string;
  idNumber: string;
  gender: string;
  nation: string;
  birthDate: string;
  address: string;
  issuer: string;
  validFrom: string;
  validUntil: string;
}

export type ReadResult = { status: 'no_device'; message: string } | { status: 'no_card'; message: string } | { status: 'card'; card: IdCardData };

/**
 * The device-adapter interface for ID card readers. Vendor readers (e.g.
 * those exposing a local HTTP/WebSocket service) implement this beside the
 * simulator; the service picks one from configuration.
 */
export interface IdCardReader {
  readonly name: string;
  /** A simulator (no real device): what it reads is marked as such. */
  readonly simulated: boolean;
  read(): Promise<ReadResult>;
}

export const DEMO_CARD: IdCardData = {
  name: '刘晓梅',
  idNumber: '420325199208154328',
  gender: '女',
  nation: '汉',
  birthDate: '1992-08-15',
  address: '湖北省十堰市房县城关镇西关路18号',
  issuer: '房县公安局',
  validFrom: '2019-03-01',
  validUntil: '2039-03-01',
};

/**
 * A simulated reader for development and tests. The card "on the reader" is
 * the JSON file `<dataDir>/devices/idcard-sim.json` (written by a test or a
 * developer); without it, the demo card when demo data is on, else no card.
 */
export class SimulatedIdCardReader implements IdCardReader {
  readonly name = '模拟读卡器';
  readonly simulated = true;
  constructor(
    private readonly dataDir: string,
    private readonly demo: boolean,
  ) {}

  async read(): Promise<ReadResult> {
    const file = path.join(this.dataDir, 'devices', 'idcard-sim.json');
    if (fs.existsSync(file)) {
      const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as IdCardData | { status: 'no_card' | 'no_device' };
      if ('status' in raw) return raw.status === 'no_device' ? { status: 'no_device', message: '未检测到身份证读卡器，请检查连接。' } : { status: 'no_card', message: '读卡器上没有身份证，请放置后重试。' };
      return { status: 'card', card: raw };
    }
    if (this.demo) return { status: 'card', card: DEMO_CARD };
    return { status: 'no_card', message: '读卡器上没有身份证，请放置后重试。' };
  }
}
