/** Port: turns a secret into a stored verifier and checks a secret against one. */
export interface SecretHasher {
  hash(secret: string): Promise<string>;
  verify(verifier: string, secret: string): Promise<boolean>;
}

export const SECRET_HASHER = Symbol('SecretHasher');
