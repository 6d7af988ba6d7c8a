import { readFile } from 'node:fs/promises';
import { CliError } from './errors.js';

/** A secret from a file, or from stdin when no file is named; one trailing newline is dropped. */
export async function readSecret(file: string | undefined, what: string): Promise<string> {
  let text: string;
  if (file !== undefined) {
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      throw new CliError(`cannot read ${what} from ${file}: ${(err as Error).message}`);
    }
  } else {
    if (process.stdin.isTTY) process.stderr.write(`${what}: `);
    text = await readStdin();
  }
  return text.replace(/\r?\n$/, '');
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
