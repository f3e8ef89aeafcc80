/**
 * .github/workflows/desktop.yml, linted here (actionlint is not installed and not in Debian): it
 * parses as YAML, has the jobs and the steps the desktop needs in that order, every step is well
 * formed (a name; either an action pinned to a major version or a shell script bash accepts),
 * every matrix expression names a matrix key, and every file and npx tool it calls exists.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../helpers/temp';

const require = createRequire(import.meta.url);
// js-yaml: installed with electron-builder (which reads its own YAML config with it).
const yaml = require('js-yaml') as { load(text: string): unknown };

type Step = { name?: string; uses?: string; run?: string; with?: Record<string, unknown> };
type Job = { name?: string; 'runs-on': string; 'timeout-minutes'?: number; strategy?: { matrix: { include: Record<string, string>[] } }; steps: Step[] };
const workflow = yaml.load(fs.readFileSync(path.join(ROOT, '.github/workflows/desktop.yml'), 'utf8')) as {
  name: string;
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};

const LINUX_STEPS = [
  'Check out',
  'Set up Node 20',
  'Install dependencies',
  'Install Electron',
  "Install Xvfb and Chromium's system libraries",
  'Chromium sandbox helper root-owned 4755 (as the deb installs it)',
  'Build',
  'Build better-sqlite3 for Electron against glibc 2.28 (debian:buster)',
  'Electron end-to-end tests (Xvfb)',
  'Package unpacked (electron-builder --dir)',
  'Read the fuses back',
  'Check the native module (architecture, GLIBC <= 2.28)',
  'Packaging smoke test (Xvfb)',
  'Build the installer (deb)',
  'Install the deb and check chrome-sandbox',
  'Upload the installer',
];
const WINDOWS_STEPS = [
  'Check out',
  'Set up Node 20',
  'Install dependencies',
  'Install Electron',
  'Build',
  'Build better-sqlite3 for Electron',
  'Electron end-to-end tests',
  'Package unpacked (electron-builder --dir)',
  'Read the fuses back',
  'Check the native module (architecture)',
  'Packaging smoke test',
  'Build the installer (NSIS, per-machine)',
  'Upload the installer',
];

const stepOf = (job: string, name: string) => workflow.jobs[job]!.steps.find((s) => s.name === name)!;

describe('desktop workflow', () => {
  it('runs on pushes to main, pull requests and by hand, reading the repository only', () => {
    expect(Object.keys(workflow.on).sort()).toEqual(['pull_request', 'push', 'workflow_dispatch']);
    expect(workflow.permissions).toEqual({ contents: 'read' });
  });

  it('Linux x64 and arm64 on native runners, and Windows', () => {
    expect(Object.keys(workflow.jobs).sort()).toEqual(['linux', 'windows']);
    expect(workflow.jobs.linux!['runs-on']).toBe('${{ matrix.runner }}');
    expect(workflow.jobs.linux!.strategy!.matrix.include.map((m) => [m.arch, m.runner])).toEqual([
      ['x64', 'ubuntu-24.04'],
      ['arm64', 'ubuntu-24.04-arm'],
    ]);
    expect(workflow.jobs.windows!['runs-on']).toBe('windows-latest');
  });

  it('has the steps listed, in order', () => {
    expect(workflow.jobs.linux!.steps.map((s) => s.name)).toEqual(LINUX_STEPS);
    expect(workflow.jobs.windows!.steps.map((s) => s.name)).toEqual(WINDOWS_STEPS);
  });

  it('the steps do what their names say', () => {
    expect(stepOf('linux', 'Install Electron').run).toBe('node node_modules/electron/install.js');
    expect(stepOf('linux', 'Build better-sqlite3 for Electron against glibc 2.28 (debian:buster)').run).toMatch(/docker run .* debian:buster bash build\/linux\/build-native\.sh/);
    expect(stepOf('linux', 'Electron end-to-end tests (Xvfb)').run).toBe('xvfb-run -a npx playwright test --project=electron');
    expect(stepOf('linux', 'Package unpacked (electron-builder --dir)').run).toContain('--dir');
    expect(stepOf('linux', 'Read the fuses back').run).toContain('node scripts/check-fuses.mjs');
    expect(stepOf('linux', 'Check the native module (architecture, GLIBC <= 2.28)').run).toContain('--max-glibc 2.28');
    expect(stepOf('linux', 'Packaging smoke test (Xvfb)').run).toContain('xvfb-run -a node scripts/smoke-packaged.mjs');
    expect(stepOf('linux', 'Install the deb and check chrome-sandbox').run).toContain("'root:root 4755'");
    expect(stepOf('windows', 'Build the installer (NSIS, per-machine)').run).toContain('--win nsis --x64');
    expect(stepOf('windows', 'Packaging smoke test').run).toContain('node scripts/smoke-packaged.mjs --app release/win-unpacked');
  });

  it('every step is well formed: a name, an action pinned to a major version or a script', () => {
    for (const [jobName, job] of Object.entries(workflow.jobs)) {
      expect(job['timeout-minutes'], jobName).toBeGreaterThan(0);
      for (const step of job.steps) {
        expect(typeof step.name, `${jobName}: ${JSON.stringify(step)}`).toBe('string');
        expect(Number(step.uses !== undefined) + Number(step.run !== undefined), `${jobName} › ${step.name}`).toBe(1);
        if (step.uses) expect(step.uses, `${jobName} › ${step.name}`).toMatch(/^actions\/(checkout|setup-node|upload-artifact)@v\d+$/);
      }
    }
  });

  it('matrix expressions name matrix keys; the Windows job uses none', () => {
    const text = JSON.stringify(workflow.jobs.linux!.steps);
    const keys = new Set(Object.keys(workflow.jobs.linux!.strategy!.matrix.include[0]!));
    for (const m of text.matchAll(/\$\{\{\s*matrix\.([a-z_]+)\s*\}\}/g)) expect(keys.has(m[1]!), m[0]).toBe(true);
    for (const entry of workflow.jobs.linux!.strategy!.matrix.include) expect(new Set(Object.keys(entry))).toEqual(keys);
    expect(JSON.stringify(workflow.jobs.windows!.steps)).not.toContain('matrix.');
  });

  it('the Linux scripts are valid bash; the files and npx tools they call exist', () => {
    for (const [jobName, job] of Object.entries(workflow.jobs)) {
      for (const step of job.steps) {
        if (!step.run) continue;
        const script = step.run.replace(/\$\{\{\s*matrix\.([a-z_]+)\s*\}\}/g, 'MATRIX_$1');
        if (jobName === 'linux') expect(spawnSync('bash', ['-n', '-c', script], { encoding: 'utf8' }).stderr, step.name).toBe('');
        for (const m of script.matchAll(/\b((?:scripts|build)\/[\w./-]+\.(?:mjs|sh|cjs)|electron-builder\.yml)\b/g)) expect(fs.existsSync(path.join(ROOT, m[1]!)), `${step.name}: ${m[1]}`).toBe(true);
        for (const m of script.matchAll(/\bnpx ([\w-]+)/g)) expect(fs.existsSync(path.join(ROOT, 'node_modules/.bin', m[1]!)), `${step.name}: npx ${m[1]}`).toBe(true);
      }
    }
  });
});
