/** One request as the old server read it (LEGACY-PROTOCOL §1.2, §1.4). */
export interface LegacyRequest {
  command: string;
  args: string[];
  /** False when `Size` is not the length of `data`: the old server dropped such a request silently. */
  sizeOk: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Reads a decrypted request the way the old server did: anything that is not one JSON object
 * (bad UTF-8, bad JSON, an array) is an empty object; `Size` and `data` default to 0 and "";
 * a non-string arg becomes "". `Size` counts UTF-16 code units, as JS `length` does.
 */
export function readLegacyRequest(plaintext: Uint8Array): LegacyRequest {
  let obj: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(utf8.decode(plaintext));
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) obj = parsed as Record<string, unknown>;
  } catch {
    // As the old server: an empty object.
  }
  const size = qtToInt(obj.Size);
  const data = typeof obj.data === 'string' ? obj.data : '';
  const args = Array.isArray(obj.args) ? obj.args.map((a) => (typeof a === 'string' ? a : '')) : [];
  const command = typeof obj.command === 'string' ? obj.command : '';
  return { command, args, sizeOk: size === data.length };
}

/** Whether a decrypted request is the free-text "Send" kind (command "" and no args), which a hash trailer follows. */
export function isSendRequest(plaintext: Uint8Array): boolean {
  const r = readLegacyRequest(plaintext);
  return r.command === '' && r.args.length === 0;
}

/** QJsonValue::toInt(): an integral number within int32, else 0. */
function qtToInt(v: unknown): number {
  return typeof v === 'number' && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 ? v : 0;
}
