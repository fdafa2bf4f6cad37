/**
 * What `kubeseal --raw` prints, checked without a key: the base64 of the
 * sealed-secrets controller's hybrid encryption (pkg/crypto HybridEncrypt),
 *
 *   2 bytes: the length L of the RSA ciphertext, big-endian
 *   L bytes: the session key wrapped with RSA-OAEP — as long as the
 *            controller's modulus: 256 bytes for a 2048-bit key, 512 for
 *            the default 4096-bit one
 *   then:    the value sealed with AES-GCM under that key (zero nonce, not
 *            stored): the value's length plus a 16-byte tag.
 *
 * A value that is not this shape cannot be decrypted: the controller reports
 * an error on the SealedSecret, makes no Secret, and the pods that mount it
 * never start. So it is refused where it is written.
 */

/** RSA moduli of 2048 to 4096 bits, in bytes. */
const MIN_RSA_BYTES = 256;
const MAX_RSA_BYTES = 512;
const LENGTH_PREFIX = 2;
const GCM_TAG = 16;
export const MIN_SEALED_BYTES = LENGTH_PREFIX + MIN_RSA_BYTES + GCM_TAG;

/** Padded base64 of the standard alphabet, as Go's base64.StdEncoding writes it. */
const PADDED_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Why the text cannot be sealed-secrets ciphertext, or undefined when it can. */
export function sealedCiphertextProblem(text: string): string | undefined {
  if (text.length === 0 || !PADDED_BASE64.test(text)) {
    return "is not padded base64 (A-Z, a-z, 0-9, + and /, a length that is a multiple of 4, = at the end as needed)";
  }
  const bytes = Buffer.from(text, "base64");
  // Canonical: the unused bits of the last group are zero, as any encoder writes them.
  if (bytes.toString("base64") !== text) return "is not base64 as an encoder writes it (its last characters carry stray bits)";
  if (bytes.length < MIN_SEALED_BYTES) {
    return `decodes to ${bytes.length} bytes; sealed ciphertext is at least ${MIN_SEALED_BYTES} (a 2-byte length, a session key wrapped by a 2048-bit or larger RSA key, a 16-byte tag)`;
  }
  const wrapped = bytes.readUInt16BE(0);
  if (wrapped < MIN_RSA_BYTES || wrapped > MAX_RSA_BYTES) {
    return `starts with a wrapped key of ${wrapped} bytes; a 2048- to 4096-bit RSA key wraps it in ${MIN_RSA_BYTES} to ${MAX_RSA_BYTES}`;
  }
  if (bytes.length < LENGTH_PREFIX + wrapped + GCM_TAG) {
    return `decodes to ${bytes.length} bytes, too few for its ${wrapped}-byte wrapped key and a 16-byte tag: it was cut short`;
  }
  return undefined;
}
