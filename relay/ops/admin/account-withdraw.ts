import { cashMovement } from './cash-movement.js';
import { defineOp } from '../registry.js';

export default defineOp('admin.account.withdraw', async (ctx) => cashMovement(ctx, 'withdraw'));
