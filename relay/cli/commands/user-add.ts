import { parseArgs } from 'node:util';
import { displayNameSchema, passwordSchema, roleSchema, usernameSchema } from '../../../common/schemas/primitives.js';
import { describeZodError } from '../../../common/schemas/messages.js';
import { isBankError } from '../../../common/errors.js';
import { openBankToWrite } from '../offline.js';
import { CliError } from '../errors.js';
import { requireOption } from '../options.js';
import { readSecret } from '../read-secret.js';
import type { z } from 'zod';

/** Adds an active user straight to the bank (on LevelDB no relay may be running on it; on the PostgreSQL store relays may). */
export async function userAddCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      data: { type: 'string' },
      store: { type: 'string' },
      username: { type: 'string' },
      role: { type: 'string' },
      'display-name': { type: 'string' },
      'password-file': { type: 'string' },
    },
  });
  const username = check('--username', usernameSchema, requireOption('--username', values.username));
  const role = check('--role', roleSchema, requireOption('--role', values.role));
  const displayName = check('--display-name', displayNameSchema, values['display-name'] ?? username);
  const password = check('password', passwordSchema, await readSecret(values['password-file'], 'password'));
  const offline = await openBankToWrite(values);
  try {
    await offline.users.create({ username, password, displayName, role, status: 'active' }, { actor: 'operator', role: 'system' }, 'user.add');
  } catch (err) {
    if (isBankError(err)) throw new CliError(err.message);
    throw err;
  } finally {
    await offline.close();
  }
  process.stdout.write(`added ${role} ${username} (${displayName})\n`);
}

function check<S extends z.ZodType>(what: string, schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CliError(`${what}: ${describeZodError(parsed.error)}`, 2);
  return parsed.data;
}
