/** The part of sm-crypto 0.3.13 (pure JS) that gm.ts uses. Hex strings are lower case. */
declare module 'sm-crypto' {
  type Bytes = number[] | string;
  export const sm2: {
    getPublicKeyFromPrivateKey(privateKeyHex: string): string;
    verifyPublicKey(publicKeyHex: string): boolean;
    doVerifySignature(msg: number[], signHex: string, publicKeyHex: string, o?: { der?: boolean; hash?: boolean; userId?: string }): boolean;
  };
  export function sm3(input: Bytes, o?: { key: Bytes }): string;
  export const sm4: {
    encrypt(input: Bytes, key: Bytes, o: { padding?: 'pkcs#7' | 'none'; mode?: 'cbc'; iv?: Bytes; output: 'array' }): number[];
    decrypt(input: Bytes, key: Bytes, o: { padding?: 'pkcs#7' | 'none'; mode?: 'cbc'; iv?: Bytes; output: 'array' }): number[];
  };
}
