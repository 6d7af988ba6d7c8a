import { defineOp } from '../registry.js';

export default defineOp('admin.ledger.verify', async ({ relay }) => relay.bank.verifyLedger());
