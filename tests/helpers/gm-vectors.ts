/**
 * Published test vectors of the 商用密码 standards, written by hand (hex, lower case). Used by the
 * Node test (tests/unit/gm-crypto.test.ts) and the Chromium test (tests/e2e/gm-crypto.spec.ts).
 */
export const GM_VECTORS = {
  sm3: [
    // GB/T 32905-2016, A.1: "abc"
    { msgHex: '616263', digest: '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0' },
    // GB/T 32905-2016, A.2: "abcd" × 16 (512 bits)
    { msgHex: '61626364'.repeat(16), digest: 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732' },
  ],
  sm4: {
    // GB/T 32907-2016, A.1: key = plaintext, one block
    key: '0123456789abcdeffedcba9876543210',
    plain: '0123456789abcdeffedcba9876543210',
    cipher: '681edf34d206965e86b3e94f536e4246',
    // A.2: the same block encrypted 1,000,000 times with the same key
    cipher1e6: '595298c7c6fd271f0402f804c33d3f66',
    // 1,000 times: computed once with Node's OpenSSL sm4-ecb (not the code under test) and written here
    cipher1e3: 'd735e91cc5689cf312bcc1efb740e813',
  },
  sm2: {
    // GB/T 32918.2-2016 Annex A (recommended curve, GB/T 32918.5): signature with the fixed k
    userId: '1234567812345678',
    msg: 'message digest',
    privateKey: '3945208f7b2144b13f36e38ac6d39f95889393692860b51a42fb81ef4df7c5b8',
    publicKey:
      '04' + '09f9df311e5421a150dd7d161e4bc5c672179fad1833fc076bb08ff356f35020' + 'ccea490ce26775a52dc6ea718cc1aa600aed05fbf35e084a6632f6072da9ad13',
    k: '59276e27d506861a16680f3ad9c02dccef3cc1fa3cdbe4ce6d54b80deac1bc21',
    r: 'f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3',
    s: 'b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa',
  },
} as const;
