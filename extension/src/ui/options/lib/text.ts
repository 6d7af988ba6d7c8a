/** "must be …" (as the relay words it, after a field name) → "Must be …" (under a field's label). */
export function sentence(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}
