/*
 * Does the name a payment file gives for a payee fit the masked name the relay answers for the
 * account ("Jane S." for "Jane Smith": the first word and the last word's first letter)?
 *
 * The rule: both names are folded (Unicode compatibility form, accents and other marks removed,
 * lower case, runs of spaces as one, a trailing full stop dropped), then
 *   - the file's first word must be the masked name's first word, and
 *   - when the masked name has an initial and the file gives more than one word, the first
 *     letter of the file's last word must be that initial.
 * So "Jane Smith", "jane  smith", "Jane S." and "Jane" (the file says no more) fit "Jane S.";
 * "Jane Doe" and "John Smith" do not. A one-word masked name ("Cher") fits any file name that
 * starts with that word. The file's name is never sent anywhere: the check runs in the page.
 */

export function foldName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim();
}

function words(name: string): string[] {
  return foldName(name)
    .split(' ')
    .map((w) => w.replace(/\.+$/u, ''))
    .filter(Boolean);
}

export function nameMatches(fileName: string, masked: string): boolean {
  const file = words(fileName);
  const relay = words(masked);
  if (file.length === 0 || relay.length === 0) return true; // nothing to compare
  if (file[0] !== relay[0]) return false;
  if (relay.length < 2 || file.length < 2) return true;
  const initial = [...relay[relay.length - 1]!][0];
  const last = [...file[file.length - 1]!][0];
  return initial === last;
}
