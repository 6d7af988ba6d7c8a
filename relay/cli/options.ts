import { CliError } from './errors.js';

export function intOption(flag: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw)) throw new CliError(`${flag} must be a whole number, not "${raw}"`, 2);
  const n = Number(raw);
  if (n < min || n > max) throw new CliError(`${flag} must be between ${min} and ${max}`, 2);
  return n;
}

export function requireOption<T>(flag: string, value: T | undefined): T {
  if (value === undefined) throw new CliError(`${flag} is required`, 2);
  return value;
}
