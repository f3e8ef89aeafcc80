import type { PartialHandlers } from '../../app/handlers';
import type { IdCardReader } from './id-card-reader';

export function createDevicesService(reader: IdCardReader): PartialHandlers {
  return {
    'devices.readIdCard': async () => {
      const r = await reader.read();
      return r.status === 'card' && reader.simulated ? { ...r, simulated: true } : r;
    },
  };
}
