// AES-256-GCM through Web Crypto: a fresh random 96-bit nonce per seal, a
// 128-bit tag appended to the ciphertext, and AAD binding it to its context.

import { KEY_BYTES, NONCE_BYTES, TAG_BYTES } from "./format.ts";

const ALGORITHM = "AES-GCM";

export interface Sealed {
  nonce: Uint8Array;
  /** Ciphertext with the 16-byte tag at its end. */
  ciphertext: Uint8Array;
}

/** A failed tag check: wrong key, or altered nonce, ciphertext, tag or AAD. */
export class OpenFailed extends Error {}

export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

export async function importAesKey(raw: Uint8Array): Promise<CryptoKey> {
  if (raw.length !== KEY_BYTES) throw new Error(`AES-256 key must be ${KEY_BYTES} bytes`);
  return await crypto.subtle.importKey("raw", buf(raw), ALGORITHM, false, ["encrypt", "decrypt"]);
}

export async function seal(
  key: CryptoKey,
  plaintext: Uint8Array,
  aad: Uint8Array,
): Promise<Sealed> {
  const nonce = randomBytes(NONCE_BYTES);
  const params = { name: ALGORITHM, iv: nonce, additionalData: buf(aad), tagLength: TAG_BYTES * 8 };
  const ciphertext = new Uint8Array(await crypto.subtle.encrypt(params, key, buf(plaintext)));
  return { nonce, ciphertext };
}

export async function open(key: CryptoKey, sealed: Sealed, aad: Uint8Array): Promise<Uint8Array> {
  if (sealed.nonce.length !== NONCE_BYTES || sealed.ciphertext.length < TAG_BYTES) {
    throw new OpenFailed("malformed ciphertext");
  }
  const params = {
    name: ALGORITHM,
    iv: buf(sealed.nonce),
    additionalData: buf(aad),
    tagLength: TAG_BYTES * 8,
  };
  try {
    return new Uint8Array(await crypto.subtle.decrypt(params, key, buf(sealed.ciphertext)));
  } catch (err) {
    throw new OpenFailed("authentication failed", { cause: err });
  }
}

/** Web Crypto's types want ArrayBuffer-backed views; ours always are. */
function buf(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}
