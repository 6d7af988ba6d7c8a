import type { z } from 'zod';
import { opDefs, type OpName, type OpArgs, type OpResult, type OpRole } from '../../common/schemas/ops.js';
import type { RelayContext } from '../context.js';
import type { ClientConnection } from '../session/client-connection.js';

export interface OpContext<N extends OpName> {
  args: OpArgs<N>;
  conn: ClientConnection;
  relay: RelayContext;
}

export interface OpHandler<N extends OpName = OpName> {
  name: N;
  role: OpRole;
  args: z.ZodType;
  /** Where an op has one: what `args` would give for the common case without running zod, or undefined (zod then decides). */
  fastArgs?: (raw: unknown) => OpArgs<N> | undefined;
  handle(ctx: OpContext<N>): Promise<OpResult<N>>;
}

/**
 * One op: its schema and role come from the shared contract (common/schemas/ops.ts), so the
 * relay cannot drift from what clients validate; the module adds only the handler.
 */
export function defineOp<N extends OpName>(
  name: N,
  handle: (ctx: OpContext<N>) => Promise<OpResult<N>>,
  fastArgs?: (raw: unknown) => OpArgs<N> | undefined,
): OpHandler<N> {
  const def = opDefs[name];
  return { name, role: def.role, args: def.args as z.ZodType, ...(fastArgs && { fastArgs }), handle };
}

export type Registry = ReadonlyMap<string, OpHandler>;

export function buildRegistry(handlers: OpHandler[]): Registry {
  const map = new Map<string, OpHandler>();
  for (const h of handlers) {
    if (map.has(h.name)) throw new Error(`op ${h.name} registered twice`);
    map.set(h.name, h);
  }
  return map;
}
