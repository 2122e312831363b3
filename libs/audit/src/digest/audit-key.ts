import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signedBytes, type AuditDigest } from './audit-digest.js';

/**
 * The Ed25519 key that signs digests. Whoever holds the private key can forge a chain, so an auditor trusts a
 * chain as far as they trust where the PUBLIC key came from: `npm run audit -- public-key` prints it for an
 * operator to keep elsewhere, and `verify --public-key` checks against that copy instead of the local key.
 */
export interface AuditVerifyingKey {
  publicKey: KeyObject;
  /** First 16 base64url characters of SHA-256 over the public key (SPKI DER): names the key in each digest. */
  keyId: string;
}
export interface AuditSigningKey extends AuditVerifyingKey {
  privateKey: KeyObject;
}

export const AUDIT_KEY_FILE = 'audit-signing-key.pem';

const keyIdOf = (publicKey: KeyObject): string =>
  createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('base64url').slice(0, 16);

const ed25519 = (key: KeyObject, what: string): KeyObject => {
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`${what} is a ${key.asymmetricKeyType ?? 'secret'} key, not Ed25519`);
  return key;
};

export const signingKeyFromPem = (pem: string): AuditSigningKey => {
  const privateKey = ed25519(createPrivateKey(pem), 'the audit signing key');
  const publicKey = createPublicKey(privateKey);
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
};

/** A PEM public key (SPKI), or a private key from which the public one is derived. */
export const verifyingKeyFromPem = (pem: string): AuditVerifyingKey => {
  const publicKey = ed25519(createPublicKey(pem), 'the audit public key');
  return { publicKey, keyId: keyIdOf(publicKey) };
};

export const publicKeyPem = (key: AuditVerifyingKey): string => key.publicKey.export({ type: 'spki', format: 'pem' }).toString();

/**
 * The key from a file (KEYGATE_AUDIT_KEY_FILE), or on the embedded profile the one generated into the data
 * directory on first use (mode 0600), as the development JWT secret is.
 */
export const loadOrCreateAuditKey = (file: string | null, dataDir: string): { key: AuditSigningKey; file: string; created: boolean } => {
  const path = file ?? join(dataDir, AUDIT_KEY_FILE);
  if (existsSync(path)) return { key: signingKeyFromPem(readFileSync(path, 'utf8')), file: path, created: false };
  if (file) throw new Error(`KEYGATE_AUDIT_KEY_FILE=${file}: no such file`);
  mkdirSync(dataDir, { recursive: true });
  const { privateKey } = generateKeyPairSync('ed25519');
  writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  return { key: signingKeyFromPem(readFileSync(path, 'utf8')), file: path, created: true };
};

export const signDigest = (digest: Omit<AuditDigest, 'signature' | 'keyId'>, key: AuditSigningKey): AuditDigest => {
  const unsigned = { ...digest, keyId: key.keyId };
  return { ...unsigned, signature: sign(null, signedBytes(unsigned), key.privateKey).toString('base64url') };
};

export const signatureHolds = (digest: AuditDigest, key: AuditVerifyingKey): boolean => {
  try {
    return verify(null, signedBytes(digest), key.publicKey, Buffer.from(digest.signature, 'base64url'));
  } catch {
    return false;
  }
};
