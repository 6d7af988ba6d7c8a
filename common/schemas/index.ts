export * from './primitives.js';
export * from './models.js';
export * from './ops.js';
export * from './events.js';
export * from './messages.js';
