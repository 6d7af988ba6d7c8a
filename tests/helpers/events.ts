import { expect } from 'vitest';
import type { BankClient, ServerEvent } from '../../common/client/bank-client.js';
import { eventDefs, isEventName } from '../../common/schemas/events.js';

/*
 * Watching what connections are told. "Got nothing" is checked after a settle period and then a
 * ping round trip on that same connection: the relay writes the events a request causes in the
 * same step as (or before) its answer, so once the cause has been answered and the watched
 * connection's ping answer is in, anything that was going to arrive there has arrived.
 */

const SETTLE_MS = 100;

export type Logged = ServerEvent | { closed: string };

/** Everything a connection receives from now on, in order, with its close at the end. */
export function record(c: BankClient): Logged[] {
  const log: Logged[] = [];
  c.onEvent((e) => {
    log.push(e);
  });
  c.onClose((reason) => log.push({ closed: reason }));
  return log;
}

export function events(log: Logged[], name?: string): ServerEvent[] {
  return log.filter((l): l is ServerEvent => 'event' in l && (name === undefined || l.event === name));
}

/** Every event is one of §6 and its data matches §6's schema. */
export function expectValidEvents(log: Logged[]): void {
  for (const e of events(log)) {
    expect(isEventName(e.event), e.event).toBe(true);
    if (isEventName(e.event)) expect(eventDefs[e.event].safeParse(e.data).success, JSON.stringify(e)).toBe(true);
    expect(Number.isNaN(Date.parse(e.ts))).toBe(false);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits a little, then a ping round trip on each open connection: whatever was sent to them before has arrived. */
export async function settle(...clients: BankClient[]): Promise<void> {
  await sleep(SETTLE_MS);
  await Promise.all(clients.filter((c) => !c.closed).map((c) => c.request('ping', {})));
}

