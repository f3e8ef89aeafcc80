import type { OsKeyStore, StoreKeySource } from '../store/store-key';

/** The part of Electron's `safeStorage` the store key needs (the shell passes the real one; tests a simulator). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
  /** Linux only in Electron. */
  getSelectedStorageBackend?(): string;
}

/**
 * The Electron shell's store key source (store/store-key.ts): the key sealed by the OS key store
 * through safeStorage — DPAPI on Windows, the Secret Service (libsecret) on UOS/Kylin, the Keychain
 * on macOS. Kept out of electron/main.ts so it is tested without the Electron binary.
 */
export function osKeyStoreOf(safe: SafeStorageLike, platform: NodeJS.Platform = process.platform): OsKeyStore {
  return {
    isEncryptionAvailable: () => safe.isEncryptionAvailable(),
    encryptString: (plain) => safe.encryptString(plain),
    decryptString: (sealed) => safe.decryptString(sealed),
    backend: () => (platform === 'linux' && safe.getSelectedStorageBackend ? safe.getSelectedStorageBackend() : ''),
  };
}

export const osKeySource = (safe: SafeStorageLike, platform?: NodeJS.Platform): StoreKeySource => ({ kind: 'os', keyStore: osKeyStoreOf(safe, platform) });
