import type { BackgroundPush } from '../shared/api.js';

/** The part of a runtime.Port we use. */
export interface UiPort {
  postMessage(message: unknown): void;
  onDisconnect: { addListener(callback: () => void): void };
}

/** The open pages' ports (popup, options); every push goes to all of them. */
export class UiPorts {
  private readonly ports = new Set<UiPort>();

  /** `onEmpty`: the last open page went away. */
  constructor(private readonly onEmpty: () => void = () => {}) {}

  add(port: UiPort): void {
    this.ports.add(port);
    port.onDisconnect.addListener(() => this.remove(port));
  }

  private remove(port: UiPort): void {
    if (this.ports.delete(port) && this.ports.size === 0) this.onEmpty();
  }

  get size(): number {
    return this.ports.size;
  }

  push(message: BackgroundPush, to?: UiPort): void {
    for (const port of to ? [to] : [...this.ports]) {
      try {
        port.postMessage(message);
      } catch {
        // The page went away between its disconnect and our push.
        this.remove(port);
      }
    }
  }
}
