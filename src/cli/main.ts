#!/usr/bin/env node
// The `depfence` executable: the command line bound to this process.
import { readFileSync } from 'node:fs';
import { runDepfence } from './program.js';

process.exitCode = await runDepfence(process.argv.slice(2), {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  cwd: process.cwd(),
  readStdin: () => readFileSync(0, 'utf8'),
});
