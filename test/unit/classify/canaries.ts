/** Secret-shaped values planted in inputs; none may come back out of the classifier. */
export const CANARY = {
  accessJwt: 'eyJhbGciOiJSUzI1NiIsImtpZCI6IkNBTkFSWSJ9.eyJjYW5hcnkiOiJhY2Nlc3MiLCJ4ZXJvX3VzZXJpZCI6IjEyMyJ9.Q2FuYXJ5U2lnbmF0dXJlMTIzNDU2Nzg5MA',
  refreshHex: '7f3c9a1e5b2d8046c1e9f7a3b5d2c8e4a6f1b9d3c7e5a2f8b4d6c1e3a9f7b5d2',
  clientSecret: 'CnrySecret_q8Zr2VwX7pLm4KdT9sYbN3',
  authCode: 'CnryAuthCode7f3a9b2c4d5e6f7a8b9c',
  basic: Buffer.from('CNRYCLIENTID0123456789ABCDEF:CnrySecret_q8Zr2VwX7pLm4KdT9sYbN3').toString('base64'),
  sessionHandle: 'CnrySessionHandle5YQZ0LMK8WJ2',
  /** Short and word-like: only caught because it sits under a secret name. */
  password: 'hunter2canary',
} as const;

export const CANARIES: readonly string[] = Object.values(CANARY);

/** Every canary that appears anywhere in the output, serialised. */
export function leaked(output: unknown): string[] {
  const text = JSON.stringify(output);
  return CANARIES.filter((c) => text.includes(c));
}
