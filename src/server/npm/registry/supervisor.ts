// depfence's side of the registry process: start it, know its port, restart it when it exits.
// While it is down (starting, or restarting after a crash) `ready()` says why, and the routes
// answer 503 with that reason; the firewall itself (PyPI, admin, every other connection) never
// notices. Restarts back off (0.1 s doubling to 5 s) so a process that dies at once does not spin.
import { DepfenceError } from '../../../errors.js';
import { fork, type ChildProcess } from 'node:child_process';
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, StartMessage } from './protocol.js';

export type RegistryTarget = { up: true; port: number } | { up: false; reason: string };

const FIRST_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;
/** Up this long: the next crash starts the backoff over. */
const STABLE_MS = 10_000;

export class RegistryProcess {
  #child: ChildProcess | null = null;
  #state: RegistryTarget = { up: false, reason: 'the npm registry process is starting' };
  #closing = false;
  #backoff = FIRST_BACKOFF_MS;
  #restartTimer: NodeJS.Timeout | null = null;
  #upSince = 0;
  /** Times the process was started again after it ended (for tests and doctor). */
  restarts = 0;
  /** The configuration every start of the process is sent; null until `configure()`. */
  #message: StartMessage | null = null;
  /** Ends the first start when no configuration can be made. */
  #abandonFirst: (error: Error) => void = () => {};
  #launched: Promise<void> | null = null;

  /** The target, once the first start has ended: the first request that needs the process starts it if nobody has, and waits for it. */
  async ready(): Promise<RegistryTarget> {
    // Once closing, nothing starts it again (a request still in flight gets the reason).
    if (!this.#closing) await this.launch().catch(() => {});
    return this.#state;
  }

  /**
   * The first start: forks the process and resolves when it is ready, which needs `configure()`.
   * Rejects if the process cannot start (a misconfiguration, not a crash). Later calls return the
   * same promise.
   */
  launch(): Promise<void> {
    if (!this.#launched) {
      this.#launched = this.#spawn();
      this.#launched.catch(() => {}); // whoever awaits it sees the error
    }
    return this.#launched;
  }

  /** Gives the process its configuration (sent again on every restart). */
  configure(message: StartMessage): void {
    this.#message = message;
    // Sent now, not on a later tick: the caller goes on to load the policy data, which blocks a while.
    if (this.#child?.connected) this.#child.send(message);
  }

  /** No configuration can be made: the forked process is ended and `launch()` rejects with `error`. */
  abandon(error: Error): void {
    this.#abandonFirst(error);
  }

  #spawn(): Promise<void> {
    // Run the child the way this module runs: child.ts under tsx (tests), child.js from dist/.
    const here = fileURLToPath(import.meta.url);
    const entry = fileURLToPath(new URL(`./child${extname(here)}`, import.meta.url));
    const child = fork(entry, [], { env: childEnv(), stdio: ['ignore', 'ignore', 'inherit', 'ipc'], serialization: 'json' });
    this.#child = child;
    if (this.#message) child.send(this.#message);
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const failStart = (reason: string) => {
        settled = true;
        this.#state = { up: false, reason };
        reject(new DepfenceError('EREGISTRY_START', reason));
      };
      this.#abandonFirst = (error) => {
        if (settled) return;
        settled = true;
        child.kill();
        reject(error);
      };
      child.on('message', (message: ChildMessage) => {
        if (message.type === 'ready') {
          this.#state = { up: true, port: message.port };
          this.#upSince = Date.now();
          settled = true;
          resolve();
        } else if (!settled) failStart(`the npm registry process could not start: ${message.message}`);
      });
      child.on('error', (error) => {
        if (!settled) failStart(`the npm registry process could not be started: ${error.message}`);
      });
      child.on('exit', (code, signal) => {
        if (this.#child === child) this.#child = null;
        const how = signal ? `was ended by ${signal}` : `exited with code ${code}`;
        if (!settled) return failStart(`the npm registry process ${how} before it was ready`);
        if (this.#closing) return;
        this.#state = { up: false, reason: `the npm registry process ${how} and is being restarted; try again in a moment` };
        this.#scheduleRestart();
      });
    });
  }

  #scheduleRestart(): void {
    if (Date.now() - this.#upSince > STABLE_MS) this.#backoff = FIRST_BACKOFF_MS;
    const delay = this.#backoff;
    this.#backoff = Math.min(this.#backoff * 2, MAX_BACKOFF_MS);
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (this.#closing) return;
      this.restarts++;
      this.#spawn().catch((error: unknown) => {
        // Its exit schedules the next attempt; say why meanwhile.
        this.#state = { up: false, reason: `${(error as Error).message}; retrying` };
      });
    }, delay);
    this.#restartTimer.unref();
  }

  /** Ends the process (and any pending restart). */
  async close(): Promise<void> {
    this.#closing = true;
    this.#state = { up: false, reason: 'the npm registry process has been stopped: depfence is shutting down' };
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    const child = this.#child;
    if (child?.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  /** For tests: the process's pid, if it runs. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }
}

/**
 * The child talks only to 127.0.0.1: a proxy from the user's environment (which @cypress/request,
 * Verdaccio's HTTP client, honours) must not be asked to reach depfence's own loopback listener.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of Object.keys(env)) if (/^(https?|all|no)_proxy$/i.test(name)) delete env[name];
  env.NO_PROXY = '*';
  return env;
}
