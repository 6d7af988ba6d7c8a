#!/usr/bin/env node
import { StartupError } from '../startup/startup-error.js';
import { CliError } from './errors.js';
import { startCommand, startUsage } from './commands/start.js';
import { fingerprintCommand } from './commands/fingerprint.js';
import { userAddCommand } from './commands/user-add.js';
import { auditVerifyCommand } from './commands/audit-verify.js';
import { ledgerVerifyCommand } from './commands/ledger-verify.js';
import { demoCommand } from './commands/demo.js';
import { benchCommand } from './commands/bench.js';
import { configCheckCommand, configCheckUsage } from './commands/config-check.js';
import { monitorCommand, monitorUsage } from './commands/monitor.js';
import { auditCheckpointCommand } from './commands/audit-checkpoint.js';
import { backupCommand } from './commands/backup.js';
import { restoreCommand } from './commands/restore.js';
import { migrateCommand, migrateUsage } from './commands/migrate.js';
import { legacyImportCommand, legacyImportUsage } from './commands/legacy-import.js';

const USAGE = `bank-relay: the Distributed Bank relay

usage:
  ${startUsage}
  bank-relay fingerprint [--data DIR]
  bank-relay user add [--data DIR | --store postgres://…] --username U --role user|admin [--display-name N] [--password-file F]
  ${monitorUsage}
  bank-relay audit checkpoint [--data DIR] [--store postgres://…]
  bank-relay audit verify [--data DIR | --store postgres://…] [--checkpoint FILE [--key OLD_IDENTITY.pem]]
  bank-relay ledger verify [--data DIR | --store postgres://…]
  bank-relay backup [--data DIR] --out FILE [--gzip]
  bank-relay restore --in FILE --data NEWDIR
  bank-relay demo [--data DIR | --store postgres://…]
  ${migrateUsage}
  ${legacyImportUsage}
  bank-relay bench [--scenario transfers|hot|hot-both|batch|paced|events|connections|scale|store]... [--transport tcp|ws|both]
                   [--connections C] [--pipeline P] [--accounts A] [--duration S] [--rate R] [--event-rate R]
                   [--batch-size N] [--batch-connections C]
                   [--clients N] [--idle S] [--scale-accounts A,B,…] [--scale-transfers T]
                   [--url tcp://H:P] [--url ws://H:P/] [--admin-user U] [--admin-password-file F] [--json FILE]
                   [--store postgres://USER@HOST:PORT/SCRATCH_DB [--relays N]] (the relays on that store; --scenario store: the store alone)
  ${configCheckUsage}
  bank-relay help

Every option can also come from a JSON file (--config FILE; see docs/CONFIG.md); flags win.
The data directory defaults to ./data. Passwords come from --password-file or stdin.
On first start with no administrator, "admin" is created with BANK_RELAY_ADMIN_PASSWORD
or a generated password, printed once.
`;

const commands: Record<string, (argv: string[]) => Promise<void>> = {
  start: startCommand,
  fingerprint: fingerprintCommand,
  'user add': userAddCommand,
  'audit verify': auditVerifyCommand,
  'ledger verify': ledgerVerifyCommand,
  demo: demoCommand,
  bench: benchCommand,
  'config check': configCheckCommand,
  monitor: monitorCommand,
  'audit checkpoint': auditCheckpointCommand,
  backup: backupCommand,
  restore: restoreCommand,
  migrate: migrateCommand,
  'legacy import': legacyImportCommand,
};

async function main(argv: string[]): Promise<void> {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === 'help' || first === '--help' || first === '-h') {
    process.stdout.write(USAGE);
    return;
  }
  const two = `${first} ${second ?? ''}`.trim();
  if (commands[two]) return commands[two](rest);
  if (commands[first]) return commands[first](argv.slice(1));
  throw new CliError(`unknown command "${two}"; run "bank-relay help"`, 2);
}

main(process.argv.slice(2)).catch((err: unknown) => {
  process.exitCode = explain(err);
});

/** Operators get one line that says what went wrong and what to do; stacks only for real bugs. */
function explain(err: unknown): number {
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  if (err instanceof CliError) {
    process.stderr.write(`bank-relay: ${err.message}\n`);
    return err.exitCode;
  }
  if (err instanceof StartupError) {
    process.stderr.write(`bank-relay: ${err.message}\n`);
    return 1;
  }
  if (e?.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' || e?.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' || e?.code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') {
    process.stderr.write(`bank-relay: ${e.message.split('\n')[0]}; run "bank-relay help"\n`);
    return 2;
  }
  if (e?.code === 'EADDRINUSE') {
    process.stderr.write(`bank-relay: port ${e.port} on ${e.address} is already in use (is another relay running?); choose another with --tcp-port / --ws-port\n`);
    return 1;
  }
  if (e?.code === 'EADDRNOTAVAIL') {
    process.stderr.write(`bank-relay: cannot listen on ${e.address}: no such address on this machine\n`);
    return 1;
  }
  if (e?.code === 'EACCES' && e.syscall === 'listen') {
    process.stderr.write(`bank-relay: not allowed to listen on port ${e.port} (ports below 1024 need privileges)\n`);
    return 1;
  }
  process.stderr.write(`bank-relay: unexpected error\n${(err as Error)?.stack ?? String(err)}\n`);
  return 1;
}
