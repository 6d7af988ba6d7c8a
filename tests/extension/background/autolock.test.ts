import { describe, expect, it } from 'vitest';
import { AUTOLOCK_ALARM, AutoLock } from '../../../extension/src/background/autolock.js';

function setup(minutes = 5) {
  const alarms: { name: string; delayInMinutes?: number; periodInMinutes?: number }[] = [];
  const cleared: string[] = [];
  const intervals: number[] = [];
  const locks: string[] = [];
  const state = { signedIn: true, minutes };
  const autolock = new AutoLock({
    alarms: {
      create: async (name, info) => {
        alarms.push({ name, ...info });
      },
      clear: async (name) => {
        cleared.push(name);
        return true;
      },
    },
    idle: { setDetectionInterval: (s) => intervals.push(s) },
    minutes: () => state.minutes,
    signedIn: () => state.signedIn,
    lock: (reason) => {
      locks.push(reason);
      state.signedIn = false;
    },
  });
  return { autolock, alarms, cleared, intervals, locks, state };
}

describe('auto-lock', () => {
  it('sets the idle detection interval from the setting (at least 15 s)', () => {
    const t = setup(5);
    t.autolock.configure();
    expect(t.intervals).toEqual([300]);
    t.state.minutes = 0.1;
    t.autolock.configure();
    expect(t.intervals.at(-1)).toBe(15);
  });

  it('re-arms the alarm on activity, with the configured delay', () => {
    const t = setup(7);
    t.autolock.touch();
    t.autolock.touch();
    expect(t.alarms).toEqual([
      { name: AUTOLOCK_ALARM, delayInMinutes: 7 },
      { name: AUTOLOCK_ALARM, delayInMinutes: 7 },
    ]);
    t.state.minutes = 10;
    t.autolock.configure();
    expect(t.alarms.at(-1)).toEqual({ name: AUTOLOCK_ALARM, delayInMinutes: 10 });
  });

  it('arms nothing while nobody is signed in', () => {
    const t = setup();
    t.state.signedIn = false;
    t.autolock.touch();
    t.autolock.configure();
    expect(t.alarms).toEqual([]);
  });

  it('locks when its alarm fires, and says why', () => {
    const t = setup(5);
    t.autolock.onAlarm({ name: 'something-else' });
    expect(t.locks).toEqual([]);
    t.autolock.onAlarm({ name: AUTOLOCK_ALARM });
    expect(t.locks).toEqual(['Locked after 5 minutes of inactivity.']);
  });

  it('locks when the system is idle or the screen locks, not when active', () => {
    const t = setup(1);
    t.autolock.onIdleState('active');
    expect(t.locks).toEqual([]);
    t.autolock.onIdleState('idle');
    expect(t.locks).toEqual(['Locked after 1 minute of inactivity.']);
    t.state.signedIn = true;
    t.autolock.onIdleState('locked');
    expect(t.locks.at(-1)).toBe('Locked because the screen was locked.');
  });

  it('does nothing when already locked', () => {
    const t = setup();
    t.state.signedIn = false;
    t.autolock.onAlarm({ name: AUTOLOCK_ALARM });
    t.autolock.onIdleState('locked');
    expect(t.locks).toEqual([]);
  });

  it('disarms', () => {
    const t = setup();
    t.autolock.disarm();
    expect(t.cleared).toEqual([AUTOLOCK_ALARM]);
  });
});
