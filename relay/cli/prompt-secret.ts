import { CliError } from './errors.js';

/**
 * Asks for a secret on the terminal without echoing it (stdin must be a TTY): the prompt goes to
 * stderr, Enter ends it, Backspace edits, Ctrl-C or Ctrl-D on an empty line gives up (exit 130).
 */
export function promptSecret(prompt: string): Promise<string> {
  const input = process.stdin;
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (err?: Error) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      process.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\x03' || (ch === '\x04' && value === '')) return done(new CliError('cancelled', 130));
        if (ch === '\x7f' || ch === '\b') value = [...value].slice(0, -1).join('');
        else if (ch >= ' ') value += ch;
      }
    };
    process.stderr.write(prompt);
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
  });
}
