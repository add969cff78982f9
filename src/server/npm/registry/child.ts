// The registry process: Verdaccio 6.8.0 in a child process of depfence, listening on a loopback
// port of its own. depfence forwards the npm requests it lets through over HTTP and answers the
// uplink requests Verdaccio makes; nothing else reaches this process. A fault in Verdaccio (a route
// that throws outside Express's error handling ends the process) costs a restart, not the firewall.
//
// Plugins, all through Verdaccio's documented plugin API (see plugin-bridge.ts):
// - filter `depfence-filter`: asks depfence which versions to hide (remote-filter.ts);
// - middleware `depfence-front`: refuses any request that does not carry depfence's secret, so the
//   loopback port is no way around the firewall for other local processes.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { BRIDGE_KEY, FILTER_PLUGIN, FRONT_PLUGIN, writeBridges } from '../plugin-bridge.js';
import { JudgementReuse } from '../filter/judgement-reuse.js';
import { createRemoteVersionFilter } from '../filter/remote-filter.js';
import { FRONT_HEADER, GENERATION_HEADER, type ChildMessage, type StartMessage } from './protocol.js';

interface ExpressLike {
  use(
    handler: (
      req: { headers: Record<string, string | string[] | undefined> },
      res: { status(code: number): { json(body: unknown): void } },
      next: () => void,
    ) => void,
  ): void;
}

function send(message: ChildMessage): void {
  process.send?.(message);
}

async function start(message: StartMessage): Promise<void> {
  const config = message.verdaccio;
  // Verdaccio's file logger crashes the process (an unhandled 'error') if its folder is missing.
  for (const dir of [config.storage, config.plugins, dirname(config.log.path)]) mkdirSync(dir, { recursive: true });
  writeBridges(config.plugins, [FILTER_PLUGIN, FRONT_PLUGIN]);
  const loaded = new Set<string>();
  const warn = (text: string) => process.stderr.write(`depfence registry: warning: ${text}\n`);
  const reuse = new JudgementReuse();
  const filter = () => {
    loaded.add(FILTER_PLUGIN.id);
    return createRemoteVersionFilter({ judgeUrl: message.judgeUrl, secret: message.uplinkSecret, timeoutMs: 30_000, warn, reuse });
  };
  const expected = Buffer.from(message.frontSecret);
  const front = () => {
    loaded.add(FRONT_PLUGIN.id);
    return {
      register_middlewares(app: ExpressLike) {
        app.use((req, res, next) => {
          const presented = Buffer.from(String(req.headers[FRONT_HEADER] ?? ''));
          if (presented.length === expected.length && timingSafeEqual(presented, expected)) {
            // Before Verdaccio routes the request (and filters for it): see judgement-reuse.ts.
            reuse.observe(Number(req.headers[GENERATION_HEADER]));
            return next();
          }
          res.status(403).json({ error: "depfence: this is depfence's internal registry process; point npm at depfence itself" });
        });
      },
    };
  };
  const { runServer } = await verdaccioModule;
  const server = (await runServer({
    ...config,
    filters: { [FILTER_PLUGIN.id]: { [BRIDGE_KEY]: filter } },
    middlewares: { [FRONT_PLUGIN.id]: { [BRIDGE_KEY]: front }, ...(config.middlewares ?? {}) },
  })) as Server;
  // Verdaccio skips plugins that fail to load, and would then serve unfiltered and to anyone.
  for (const plugin of [FILTER_PLUGIN, FRONT_PLUGIN]) {
    if (!loaded.has(plugin.id))
      throw new Error(
        `Verdaccio did not load depfence's plugin ${plugin.id} from ${config.plugins}; refusing to serve npm without it (see ${config.log.path})`,
      );
  }
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  send({ type: 'ready', port: (server.address() as AddressInfo).port });
}

// Loaded at once, while depfence gets ready to send the start message (about half a second).
const verdaccioModule = import('verdaccio');
verdaccioModule.catch(() => {}); // awaited in start()

// depfence gone (its IPC channel closed): nothing may outlive it.
process.on('disconnect', () => process.exit(0));
process.once('message', (message: { type?: unknown } | null) => {
  if (message?.type !== 'start') return;
  start(message as StartMessage).catch((error: unknown) => {
    send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
    process.disconnect();
  });
});
