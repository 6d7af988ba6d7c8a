import { cashMovement } from './cash-movement.js';
import { defineOp } from '../registry.js';

export default defineOp('admin.account.deposit', async (ctx) => cashMovement(ctx, 'deposit'));
