import { buildRegistry } from './registry.js';
import ping from './ping.js';
import register from './auth/register.js';
import login from './auth/login.js';
import resume from './auth/resume.js';
import logout from './auth/logout.js';
import changePassword from './auth/change-password.js';

/** Every op the relay serves; one module each. */
export const registry = buildRegistry([ping, register, login, resume, logout, changePassword]);
