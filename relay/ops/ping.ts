import { defineOp } from './registry.js';

export default defineOp('ping', async ({ relay }) => ({ ts: new Date(relay.clock()).toISOString() }));
