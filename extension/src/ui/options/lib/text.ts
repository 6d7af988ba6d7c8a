/** "must be …" (as schemas word it, after a field name) → "Must be …" (under a field's label). */
export function sentence(s: string): string {
  return s.length === 0 ? s : s[0]!.toUpperCase() + s.slice(1);
}

/** The first line of a zod error for one field, as a sentence. */
export function firstIssue(error: { issues: readonly { message: string }[] }): string {
  return sentence(error.issues[0]?.message ?? 'is not valid');
}

/** "1 transfer" / "3 transfers". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
