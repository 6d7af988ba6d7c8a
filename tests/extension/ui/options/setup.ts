import { cleanup } from '@testing-library/preact';
import { afterEach, beforeEach } from 'vitest';
import { resetFakeBridge } from './fake-bridge.js';

/** Imported by each test file: a clean page, fake bridge and URL per test. */
beforeEach(() => {
  resetFakeBridge();
  history.replaceState(null, '', '#/settings');
});

afterEach(() => {
  cleanup();
});
