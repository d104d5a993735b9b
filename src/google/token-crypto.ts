/**
 * Google tokens at rest: AES-256-GCM (WebCrypto) with a key from the GOOGLE_TOKEN_KEYS secret.
 * The ciphertext names its key id, so keys rotate by putting a new key first and keeping the old
 * ones until every row was re-encrypted (each token refresh re-encrypts with the current key).
 * The additional data binds a ciphertext to its organization and integration: a ciphertext copied
 * to another row does not decrypt.
 */
export interface TokenKeys {
  current: { id: string; key: CryptoKey; stateKey: CryptoKey };
  all: Map<string, CryptoKey>;
  /** HMAC keys for signing OAuth `state`, derived (HKDF) from the same secrets: no extra secret needed */
  stateKeys: Map<string, CryptoKey>;
}

const keysCache = new Map<string, Promise<TokenKeys>>();

const b64 = {
  encode: (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
  decode: (text: string) => Uint8Array.from(atob(text.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0)),
};
export const base64url = b64;

export function parseTokenKeys(secret: string): Promise<TokenKeys> {
  let hit = keysCache.get(secret);
  if (!hit) {
    hit = (async () => {
      const entries = secret.split(',').map((s) => s.trim()).filter(Boolean);
      const all = new Map<string, CryptoKey>();
      const stateKeys = new Map<string, CryptoKey>();
      let current: TokenKeys['current'] | undefined;
      for (const entry of entries) {
        const m = /^([A-Za-z0-9_-]{1,32}):([A-Za-z0-9+/_=-]+)$/.exec(entry);
        if (!m) throw new Error('GOOGLE_TOKEN_KEYS: each key is keyId:base64 (comma separated, current first)');
        const raw = b64.decode(m[2]!.replace(/=+$/, ''));
        if (raw.byteLength !== 32) throw new Error(`GOOGLE_TOKEN_KEYS: key '${m[1]}' must be 32 bytes (AES-256)`);
        const key = await crypto.subtle.importKey('raw', raw, 'AES-GCM', false, ['encrypt', 'decrypt']);
        const hkdf = await crypto.subtle.importKey('raw', raw, 'HKDF', false, ['deriveKey']);
        const stateKey = await crypto.subtle.deriveKey(
          { name: 'HKDF', hash: 'SHA-256', salt: new Uint8Array(0), info: new TextEncoder().encode('influtics google oauth state') },
          hkdf,
          { name: 'HMAC', hash: 'SHA-256', length: 256 },
          false,
          ['sign', 'verify'],
        );
        all.set(m[1]!, key);
        stateKeys.set(m[1]!, stateKey);
        current ??= { id: m[1]!, key, stateKey };
      }
      if (!current) throw new Error('GOOGLE_TOKEN_KEYS holds no key');
      return { current, all, stateKeys };
    })();
    keysCache.set(secret, hit);
    hit.catch(() => keysCache.delete(secret));
  }
  return hit;
}

const aad = (organizationId: string, integrationId: string) => new TextEncoder().encode(`google-token:${organizationId}:${integrationId}`);

/** `<keyId>.<iv>.<ciphertext+tag>` (base64url). */
export async function encryptToken(keys: TokenKeys, plaintext: string, organizationId: string, integrationId: string): Promise<{ ciphertext: string; keyId: string }> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData: aad(organizationId, integrationId) }, keys.current.key, new TextEncoder().encode(plaintext)),
  );
  return { ciphertext: `${keys.current.id}.${b64.encode(iv)}.${b64.encode(ct)}`, keyId: keys.current.id };
}

export async function decryptToken(keys: TokenKeys, ciphertext: string, organizationId: string, integrationId: string): Promise<string> {
  const [keyId, iv, ct] = ciphertext.split('.');
  const key = keyId ? keys.all.get(keyId) : undefined;
  if (!key || !iv || !ct) throw new Error(`token ciphertext uses unknown key '${keyId ?? ''}' or is malformed`);
  const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: b64.decode(iv), additionalData: aad(organizationId, integrationId) }, key, b64.decode(ct));
  return new TextDecoder().decode(plain);
}

