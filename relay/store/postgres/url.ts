/** postgres://user:secret@host/db → postgres://user@host/db: a password is never printed. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return '(an unreadable URL)';
  }
}

/** True for the URLs the PostgreSQL store takes. */
export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\/\S+$/.test(url);
}
