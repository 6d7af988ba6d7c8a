/**
 * Terminal control for the monitor: the alternate screen, a hidden cursor and raw keyboard
 * input while it runs, and the terminal put back exactly once however it ends (quit, error,
 * signal, crash). Knows nothing about what is drawn.
 */
import type { ReadStream, WriteStream } from 'node:tty';

const ENTER = '\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J';
const LEAVE = '\x1b[0m\x1b[?25h\x1b[?1049l';

export interface TerminalHandlers {
  /** A key (or pasted text) typed. */
  onKey(key: string): void;
  /** The window changed size. */
  onResize(): void;
  /** SIGTERM/SIGHUP (or SIGINT when it is not raw): the terminal is already restored. */
  onSignal(signal: NodeJS.Signals): void;
}

export class Terminal {
  private active = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly input: ReadStream,
    private readonly output: WriteStream,
  ) {}

  get columns(): number {
    return this.output.columns || 80;
  }

  get rows(): number {
    return this.output.rows || 24;
  }

  /** Alternate screen, no cursor, raw input; restores on exit, crash and signals. */
  enter(handlers: TerminalHandlers): void {
    if (this.active) return;
    this.active = true;
    this.output.write(ENTER);
    if (this.input.isTTY) {
      this.input.setRawMode(true);
      this.input.setEncoding('utf8');
      const onData = (key: string) => handlers.onKey(key);
      this.input.on('data', onData);
      this.input.resume();
      this.cleanups.push(() => {
        this.input.off('data', onData);
        this.input.pause();
      });
    }
    const onResize = () => handlers.onResize();
    this.output.on('resize', onResize);
    this.cleanups.push(() => this.output.off('resize', onResize));

    // Whatever happens, the person gets their terminal back.
    const onExit = () => this.restore();
    process.on('exit', onExit);
    this.cleanups.push(() => process.off('exit', onExit));
    const onCrash = (err: unknown) => {
      this.restore();
      process.stderr.write(`bank-relay: unexpected error\n${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    };
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    this.cleanups.push(() => {
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
    });
    for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
      const onSignal = () => {
        this.restore();
        handlers.onSignal(signal);
      };
      process.on(signal, onSignal);
      this.cleanups.push(() => process.off(signal, onSignal));
    }
  }

  write(text: string): void {
    if (this.active) this.output.write(text);
  }

  /** Normal screen, cursor, cooked mode; safe to call more than once. */
  restore(): void {
    if (!this.active) return;
    this.active = false;
    for (const f of this.cleanups.splice(0).reverse()) f();
    if (this.input.isTTY) {
      try {
        this.input.setRawMode(false);
      } catch {
        // the terminal is gone (SIGHUP): nothing to restore
      }
    }
    this.output.write(LEAVE);
  }
}

/** True for the keys that quit: `q`, `Q`, Ctrl-C (raw mode turns it into a byte), Ctrl-D. */
export function isQuitKey(key: string): boolean {
  return key === 'q' || key === 'Q' || key === '\x03' || key === '\x04';
}
