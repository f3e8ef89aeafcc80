import type { PartialHandlers } from '../../app/handlers';
import type { IdCardReader } from './id-card-reader';

export function createDevicesService(reader: IdCardReader): PartialHandlers {
  return {
    'devices.readIdCard': async () => reader.read(),
  };
}
