/** "Jane Smith" → "Jane S.": enough for a payer to recognise the payee, not a full name to harvest. */
export function maskName(displayName: string): string {
  const words = displayName.trim().split(/\s+/u).filter(Boolean);
  if (words.length === 0) return '';
  const first = words[0]!;
  if (words.length === 1) return first;
  const last = [...words[words.length - 1]!][0]!;
  return `${first} ${last.toUpperCase()}.`;
}
