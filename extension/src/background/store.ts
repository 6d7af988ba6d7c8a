import type { AppState } from '../shared/api.js';
import { reduce, type StateAction } from './state.js';

export type StateListener = (next: AppState, prev: AppState, action: StateAction) => void;

/** Holds the current AppState; every change goes through the pure reducer and is announced. */
export interface StateStore {
  get(): AppState;
  dispatch(action: StateAction): AppState;
  subscribe(listener: StateListener): () => void;
}

export function createStore(initial: AppState): StateStore {
  let state = initial;
  const listeners = new Set<StateListener>();
  return {
    get: () => state,
    dispatch(action) {
      const prev = state;
      const next = reduce(prev, action);
      if (next === prev) return state;
      state = next;
      for (const l of listeners) {
        try {
          l(next, prev, action);
        } catch (err) {
          console.error('state listener failed', err);
        }
      }
      return state;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
