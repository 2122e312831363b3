import { Argon2SecretHasher } from './argon2-secret-hasher.js';

describe('Argon2SecretHasher', () => {
  const hasher = new Argon2SecretHasher();
  const secret = 'Zx8Kq2LmN4pR7sT1vW3yB5cD';

  it('hashes to an argon2id PHC string with the OWASP parameters', async () => {
    const verifier = await hasher.hash(secret);
    expect(verifier.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(verifier).not.toContain(secret);
  });

  it('salts: the same secret hashes to different verifiers', async () => {
    expect(await hasher.hash(secret)).not.toBe(await hasher.hash(secret));
  });

  it('verifies the right secret and refuses a wrong one', async () => {
    const verifier = await hasher.hash(secret);
    await expect(hasher.verify(verifier, secret)).resolves.toBe(true);
    await expect(hasher.verify(verifier, `${secret.slice(0, -1)}E`)).resolves.toBe(false);
  });

  it.each([[''], ['not a verifier'], ['$argon2id$v=19$m=19456,t=2,p=1$broken']])(
    'refuses, without throwing, the malformed verifier %p',
    async (verifier) => {
      await expect(hasher.verify(verifier, secret)).resolves.toBe(false);
    },
  );
});
