import { verifyLedger } from '../../ledger/verify.js';
import { defineOp } from '../registry.js';

export default defineOp('admin.ledger.verify', async ({ relay }) => verifyLedger(relay.bank));
