/** A failure a person can act on, shown without a stack trace by the CLI. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}
