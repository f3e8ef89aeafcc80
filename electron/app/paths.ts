import fs from 'node:fs';
import os from 'node:os';
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

/** Where the desk keeps its data when no --data-dir is given. */
export function defaultDataDir(): string {
  if (process.platform === 'win32') return path.join(process.env.APPDATA ?? os.homedir(), 'ProofFreeDesk');
  if (process.platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', 'ProofFreeDesk');
  return path.join(process.env.XDG_DATA_HOME ?? path.join(os.homedir(), '.local', 'share'), 'proof-free-desk');
}

export function storePaths(dataDir: string) {
  return {
    dbFile: path.join(dataDir, 'desk.sqlite'),
    logFile: path.join(dataDir, 'logs', 'desk.log'),
    backupDir: path.join(dataDir, 'backups'),
  };
}
