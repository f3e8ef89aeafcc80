/** `<dataDir>/desk-config.json`: the addresses a desktop shortcut cannot set; env still overrides. */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deskAddresses, DeskConfigError, readDeskConfig } from '../../../electron/app/desk-config';
import { tempDir } from '../../helpers/temp';

let dir: string;
beforeEach(() => (dir = tempDir('desk-config-')));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
const write = (text: string) => fs.writeFileSync(path.join(dir, 'desk-config.json'), text);
const refusal = (): DeskConfigError => {
  try {
    readDeskConfig(dir);
  } catch (e) {
    return e as DeskConfigError;
  }
  throw new Error('expected a refusal');
};

describe('desk-config.json', () => {
  it('missing: an empty configuration', () => {
    expect(readDeskConfig(dir)).toEqual({});
  });
  it('read with a BOM, addresses trimmed', () => {
    write('\uFEFF{"cameraVendorUrl":" http://127.0.0.1:38088 ","dataSharingUrl":"http://10.1.2.3:8080","hardwareAcceleration":false}');
    expect(readDeskConfig(dir)).toEqual({ cameraVendorUrl: 'http://127.0.0.1:38088', dataSharingUrl: 'http://10.1.2.3:8080', hardwareAcceleration: false });
  });
  it('not JSON: a Chinese message naming the file', () => {
    write('{"cameraVendorUrl": ');
    const e = refusal();
    expect(e).toBeInstanceOf(DeskConfigError);
    expect(e.userMessage).toContain(`配置文件 ${path.join(dir, 'desk-config.json')} 不是有效的 JSON`);
    expect(e.message).toContain('not JSON');
  });
  it('a bad address, an unknown key, a wrong type: each named in Chinese', () => {
    write('{"cameraVendorUrl":"ftp://127.0.0.1"}');
    expect(refusal().userMessage).toContain('高拍仪厂商服务地址（cameraVendorUrl）必须是以 http:// 或 https:// 开头的完整地址');
    write('{"dataSharingUrl":"10.1.2.3"}');
    expect(refusal().userMessage).toContain('数据共享平台地址（dataSharingUrl）必须是');
    write('{"cameraVendorURL":"http://127.0.0.1:38088"}');
    expect(refusal().userMessage).toContain('不认识的设置项 cameraVendorURL');
    write('{"hardwareAcceleration":"off"}');
    expect(refusal().userMessage).toContain('hardwareAcceleration 必须是 true 或 false');
    write('[]');
    expect(refusal().userMessage).toContain('文件内容必须是一个 JSON 对象');
  });
  it('environment variables override the file', () => {
    const config = { cameraVendorUrl: 'http://127.0.0.1:38088', dataSharingUrl: 'http://10.1.2.3:8080' };
    expect(deskAddresses(config, {})).toEqual({ cameraVendor: 'http://127.0.0.1:38088', dataSharing: 'http://10.1.2.3:8080' });
    expect(deskAddresses(config, { DESK_DATA_SHARING_URL: 'http://127.0.0.1:47700' })).toEqual({ cameraVendor: 'http://127.0.0.1:38088', dataSharing: 'http://127.0.0.1:47700' });
    expect(deskAddresses({}, {})).toEqual({});
  });
});
