// tsc does not keep the executable bit: give the CLI entry point one so `npx depfence` and the bin link work.
import { chmodSync } from 'node:fs';
chmodSync(new URL('../dist/cli/main.js', import.meta.url), 0o755);
