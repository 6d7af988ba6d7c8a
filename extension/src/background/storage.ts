/**
 * The little of chrome.storage the background needs, so its logic runs against an in-memory
 * fake in tests. `local` survives restarts (settings, key pins); `session` is held in memory by
 * the browser and gone when it closes (the session token).
 */
export interface KeyValueArea {
  get(key: string): Promise<unknown>;
  set(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
}

/** The shape of chrome.storage.local / chrome.storage.session that we use. */
export interface BrowserStorageArea {
  get(keys: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
  remove(keys: string): Promise<void>;
}

export function browserArea(area: BrowserStorageArea): KeyValueArea {
  return {
    get: async (key) => (await area.get(key))[key],
    set: (key, value) => area.set({ [key]: value }),
    remove: (key) => area.remove(key),
  };
}

/**
 * An area in memory (tests, and Node runs of the background logic). Keeps structured clones,
 * as the browser does, so callers cannot alias stored objects.
 */
export function memoryArea(initial: Record<string, unknown> = {}): KeyValueArea & { data: Map<string, unknown> } {
  const data = new Map<string, unknown>(Object.entries(initial).map(([k, v]) => [k, structuredClone(v)]));
  return {
    data,
    get: async (key) => structuredClone(data.get(key)),
    set: async (key, value) => {
      data.set(key, structuredClone(value));
    },
    remove: async (key) => {
      data.delete(key);
    },
  };
}
