/**
 * Whether JSON text nests arrays and objects no deeper than `max`, found by one pass over the
 * bytes (strings skipped, escapes honoured) before any parsing. JSON.parse of deeply nested
 * input costs far more than its size suggests (a MiB of "[" took half a second): such a frame
 * is refused before it is parsed. Malformed text is left to JSON.parse to refuse.
 */
export function nestsWithin(bytes: Uint8Array, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === 0x5c) i++; // a backslash: the next byte is escaped
      else if (b === 0x22) inString = false;
    } else if (b === 0x22) inString = true;
    else if (b === 0x5b || b === 0x7b) {
      if (++depth > max) return false;
    } else if (b === 0x5d || b === 0x7d) depth--;
  }
  return true;
}
