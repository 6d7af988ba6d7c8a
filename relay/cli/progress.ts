/** A one-line progress bar on stderr, drawn only when stderr is a terminal; at most ~10 redraws/s. */
export class ProgressBar {
  private readonly enabled: boolean;
  private last = 0;
  constructor(private readonly label: string, private readonly total: number, stream: NodeJS.WriteStream = process.stderr) {
    this.stream = stream;
    this.enabled = Boolean(stream.isTTY);
  }
  private readonly stream: NodeJS.WriteStream;

  update(done: number, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && now - this.last < 100) return;
    this.last = now;
    const cols = Math.max(20, Math.min(50, (this.stream.columns ?? 80) - 40));
    const frac = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const filled = Math.round(frac * cols);
    this.stream.write(`\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(cols - filled)}] ${Math.floor(frac * 100)}% ${done}/${this.total}`);
  }

  finish(): void {
    if (!this.enabled) return;
    this.update(this.total, true);
    this.stream.write('\n');
  }
}
