import { listTransfers } from '../../ledger/transfer-list.js';
import { defineOp } from '../registry.js';

export default defineOp('admin.transfer.list', async ({ args, relay }) => listTransfers(relay.bank, args));
