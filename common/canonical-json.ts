/**
 * Canonical JSON in the style of RFC 8785 (JCS), for the audit hash chain:
 * the same value always gives the same bytes, on the relay and in any
 * verifier. Keys are sorted by UTF-16 code units (JavaScript's default sort),
 * strings and numbers use JSON.stringify (which is the ECMAScript
 * serialization JCS prescribes), and there is no whitespace.
 */
export function canonicalJson(value: unknown): string {
  const out = write(value, new Set());
  if (out === undefined) throw new TypeError('canonicalJson: the value has no JSON form');
  return out;
}

/** undefined means "omit", mirroring JSON.stringify for properties. */
function write(value: unknown, ancestors: Set<object>): string | undefined {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonicalJson: ${value} is not a JSON number`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      throw new TypeError('canonicalJson: bigint has no JSON form');
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
  if (value === null) return 'null';
  const obj = value as object;
  if (ancestors.has(obj)) throw new TypeError('canonicalJson: circular structure');
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      // An array of strings, finite numbers, booleans and nulls reads the same either way: JSON.stringify it whole.
      if (obj.every(isPlainScalar)) return JSON.stringify(obj);
      let out = '[';
      for (let i = 0; i < obj.length; i++) out += (i > 0 ? ',' : '') + (write(obj[i] as unknown, ancestors) ?? 'null');
      return out + ']';
    }
    const record = obj as Record<string, unknown>;
    // Built by concatenation (the audit chain hashes one entry per change: this is a hot path).
    let out = '{';
    for (const key of Object.keys(record).sort()) {
      const v = write(record[key], ancestors);
      if (v !== undefined) out += (out.length > 1 ? ',' : '') + JSON.stringify(key) + ':' + v;
    }
    return out + '}';
  } finally {
    ancestors.delete(obj);
  }
}

function isPlainScalar(v: unknown): boolean {
  return v === null || typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}
