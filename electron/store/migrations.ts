import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;

/** Line endings are normalised so a Windows checkout does not look "changed". */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

export class MigrationSetError extends Error {}

/** Reads `NNNN_name.sql` files in order; refuses a gap or a duplicate number. */
export function loadMigrations(dir: string): MigrationFile[] {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const out: MigrationFile[] = [];
  for (const file of files) {
    const m = FILE_PATTERN.exec(file);
    if (!m) throw new MigrationSetError(`migration file name not NNNN_name.sql: ${file}`);
    const sql = fs.readFileSync(path.join(dir, file), 'utf8');
    out.push({ version: Number(m[1]), name: m[2] ?? '', sql, checksum: migrationChecksum(sql) });
  }
  out.forEach((mig, i) => {
    if (mig.version !== i + 1) {
      throw new MigrationSetError(`migrations must be numbered 0001, 0002, … without gaps: expected ${i + 1}, found ${mig.version} (${mig.name})`);
    }
  });
  return out;
}
