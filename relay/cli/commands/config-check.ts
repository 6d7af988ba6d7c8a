import { parseArgs } from 'node:util';
import { relayConfigSchema } from '../../config.js';
import { CliError } from '../errors.js';
import { buildConfig, checkResources, formatIssues, redacted, relayFlags, zodIssues } from '../config-file.js';

export const configCheckUsage = 'bank-relay config check [--config FILE] [any flag of "start"]';

/**
 * Validates the configuration `start` would use (defaults < file < environment < flags) without
 * starting anything: prints "config OK" and the effective configuration with secrets redacted,
 * or every error with its key path and a hint, and exits 1.
 */
export async function configCheckCommand(argv: string[]): Promise<void> {
  const { values } = parseArgs({ args: argv, strict: true, options: relayFlags });
  const built = await buildConfig(values);
  const issues = [...built.issues];
  const parsed = relayConfigSchema.safeParse(built.input);
  if (!parsed.success) {
    if (issues.length === 0) issues.push(...zodIssues(parsed.error));
  } else {
    issues.push(...(await checkResources(parsed.data)));
  }
  if (issues.length > 0 || !parsed.success) throw new CliError(formatIssues(issues), 1);
  process.stdout.write(`config OK${values.config !== undefined ? ` (${values.config})` : ''}\n${JSON.stringify(redacted(parsed.data, built.pskSource), null, 2)}\n`);
}
