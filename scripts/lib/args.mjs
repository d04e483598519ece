// Minimal flag parsing over node:util parseArgs (no dependency needed for this).
import { parseArgs } from 'node:util';

export function flags(options, argv = process.argv.slice(2)) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    console.error(String(err.message ?? err));
    process.exit(2);
  }
}
