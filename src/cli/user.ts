// `depfence user add NAME`: a user of depfence's own npm registry, who may publish the names
// reserved for internal packages (policy.confusion.npm). The user goes into the htpasswd file the
// registry process's Verdaccio reads (it notices new users without a restart), written through
// Verdaccio's own htpasswd auth plugin (its documented `adduser`), so the hash format is its own.
// The password comes on standard input, never on the command line (which other users can see).
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { Config } from '../config/index.js';
import { verdaccioPaths } from '../server/npm/verdaccio-config.js';
import { EXIT } from '../policy/exit-codes.js';
import { UsageError } from './usage-error.js';

interface UserIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const MIN_PASSWORD_LENGTH = 8;

export async function runUserAdd(name: string, stdin: string, config: Config, io: UserIo): Promise<number> {
  // One line: what `echo` or a password manager pipes in (the newline is not part of it).
  const password = stdin.replace(/\r?\n$/, '');
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name) || name.length > 64)
    throw new UsageError(
      `"${name}" is not a user name depfence accepts: letters, digits, '.', '_' and '-', starting with a letter or digit`,
    );
  if (password.includes('\n')) throw new UsageError('give the password as one line on standard input');
  if (password.length < MIN_PASSWORD_LENGTH)
    throw new UsageError(
      `the password (read from standard input) must be at least ${MIN_PASSWORD_LENGTH} characters long; e.g. printf '%s' "$PASSWORD" | depfence user add ${name}`,
    );
  const file = verdaccioPaths(config.server.dataDir).htpasswd;
  mkdirSync(dirname(file), { recursive: true });
  // A CommonJS module whose `default` export is the plugin factory Verdaccio itself calls.
  const { default: htpasswd } = createRequire(import.meta.url)('verdaccio-htpasswd') as typeof import('verdaccio-htpasswd');
  const plugin = htpasswd({ file, max_users: Infinity }, { config: { configPath: file }, logger: quietLogger });
  // adduser answers through the callback, or rejects (its sanity check throws) without calling it.
  const error = await new Promise<Error | null>((resolve, reject) => {
    plugin.adduser(name, password, (failure: Error | null) => resolve(failure)).catch(reject);
  });
  if (error) {
    io.err(
      `depfence: could not add ${name} to ${file}: ${error.message} (to change a password, remove the user's line from that file and add the user again)`,
    );
    return EXIT.usage;
  }
  io.out(`added ${name} to ${file}`);
  io.out(`log in with: npm login --auth-type=legacy --registry http://${config.server.host}:${config.server.port}/`);
  return EXIT.ok;
}

const ignore = () => {};
const quietLogger = {
  warn: ignore,
  info: ignore,
  debug: ignore,
  error: ignore,
  trace: ignore,
  fatal: ignore,
  http: ignore,
  child: () => quietLogger,
};
