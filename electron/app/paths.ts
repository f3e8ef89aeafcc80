import fs from 'node:fs';
import path from 'node:path';

/** The folder holding package.json, migrations/ and dist/ (inside the asar when packaged). */
export function appRoot(): string {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'migrations', '0001_core.sql'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find the app root (migrations/) above ${__dirname}`);
}

export function storePaths(dataDir: string) {
  return {
    dbFile: path.join(dataDir, 'desk.sqlite'),
    logFile: path.join(dataDir, 'logs', 'desk.log'),
    backupDir: path.join(dataDir, 'backups'),
  };
}
