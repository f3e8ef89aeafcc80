// Lint rules, including the process boundaries (see docs/ARCHITECTURE.md):
// - shared/ imports no Node, DOM, Electron or UI module (pure rules and the contract);
// - renderer/ imports no Node module, no Electron and nothing from electron/;
// - electron/ imports 'electron' only in main.ts and preload.ts, and nothing from renderer/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const nodeBuiltins = ['node:*', 'fs', 'path', 'os', 'crypto', 'child_process', 'worker_threads', 'http', 'https', 'net', 'url', 'util', 'stream', 'events', 'zlib', 'buffer'];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'build/*.cjs', 'build/*.mjs', 'renderer/wasm/**' /* AssemblyScript, not TypeScript: compiled by scripts/build-wasm.mjs */] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['shared/**/*.ts'],
    languageOptions: { globals: {} },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'shared/ is pure: no Node modules.' },
            { group: ['electron', 'electron/*'], message: 'shared/ is pure: no Electron.' },
            { group: ['react', 'react-*', 'antd', 'dexie', 'better-sqlite3', '**/electron/**', '**/renderer/**'], message: 'shared/ imports only zod and shared/.' },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'require', 'Buffer', '__dirname', 'navigator', 'localStorage', 'indexedDB'],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: nodeBuiltins, message: 'renderer/ runs in the page: no Node modules.' },
            { group: ['electron', 'electron/*', 'better-sqlite3', '**/electron/**'], message: 'renderer/ talks to the main side only through the IPC client.' },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/vite.config.mts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['electron/**/*.ts'],
    ignores: ['electron/main.ts', 'electron/preload.ts'],
    languageOptions: { globals: globals.node },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'electron/*'], message: 'Only electron/main.ts and electron/preload.ts may import Electron; services must run in plain Node.' },
            { group: ['**/renderer/**', 'react', 'antd', 'dexie'], message: 'electron/ never imports renderer code.' },
          ],
        },
      ],
    },
  },
  {
    files: ['electron/main.ts', 'electron/preload.ts', 'tests/**/*.ts', 'sim/**/*.ts', 'bench/**/*.{ts,mjs}', 'scripts/**/*.mjs', '*.config.{ts,mjs}'],
    languageOptions: { globals: globals.node },
  },
);
