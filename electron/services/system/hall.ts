import type { Db } from '../../store/open-store';

export function readHall(db: Db): { code: string; name: string; region: string } | null {
  return (db.prepare('SELECT code, name, region FROM hall WHERE id = 1').get() as { code: string; name: string; region: string } | undefined) ?? null;
}
