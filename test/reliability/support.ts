// Shared by the reliability suite: raw HTTP over node:net (so nothing normalises a path or a
// header on the way), `depfence serve` as a child process (for SIGKILL and for measuring the
// server's own memory), and small file and statistics helpers.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import type { NpmUpstream, PypiUpstream } from '../fixtures/index.js';
import { spawnServe as spawnCliServe, type ServeProcess } from '../helpers/cli.js';

export type { ServeProcess };

export interface RawReply {
  /** The status of the first response, or null when the server closed without answering. */
  status: number | null;
  head: string;
  body: Buffer;
  /** Everything the server sent. */
  raw: Buffer;
}

/**
 * Sends `request` byte for byte on a fresh connection and reads until the server closes it (or
 * `timeoutMs` passes, which rejects). The request should say `Connection: close`.
 */
export function rawExchange(url: string, request: string | Buffer, timeoutMs = 15_000): Promise<RawReply> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no end of answer within ${timeoutMs} ms for ${JSON.stringify(String(request).slice(0, 120))}`));
    }, timeoutMs);
    // Written without a half-close: a client that shuts its side may have its answer dropped.
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => {}); // a reset after the answer (or instead of one) shows as a missing status
    socket.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      const split = raw.indexOf('\r\n\r\n');
      const head = (split === -1 ? raw : raw.subarray(0, split)).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      resolve({ status: match ? Number(match[1]) : null, head, body: split === -1 ? Buffer.alloc(0) : raw.subarray(split + 4), raw });
    });
  });
}

/** `METHOD target HTTP/1.1` with a Host header, `Connection: close` and the given extra header lines. */
export function requestText(method: string, target: string, headers: string[] = [], body = ''): string {
  const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers];
  if (body !== '') lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

// ── depfence serve as a child process ──────────────────────────────────────────────────────────

/** A config file for `depfence serve` pointing both ecosystems at the fixtures. */
export function writeServeConfig(
  file: string,
  options: { pypi: PypiUpstream; npm: NpmUpstream; network?: Record<string, unknown>; extra?: Record<string, unknown> },
): void {
  writeFileSync(
    file,
    stringify({
      upstreams: {
        pypi: { simple: options.pypi.simpleUrl, json: options.pypi.jsonUrl, downloads: options.pypi.downloadsUrl },
        npm: { registry: options.npm.registryUrl, downloads: options.npm.downloadsUrl },
      },
      server: { port: 0 },
      network: { timeout: '5s', retries: 1, ...options.network },
      ...options.extra,
    }),
  );
}

export function spawnServe(configFile: string, dataDir: string, timeoutMs = 60_000): Promise<ServeProcess> {
  return spawnCliServe(['--config', configFile, '--data-dir', dataDir], { timeoutMs });
}

/** Peak and current resident set size of a process, in bytes (Linux /proc). */
export function rssOf(pid: number): { peak: number; current: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
    return { peak: kib('VmHWM'), current: kib('VmRSS') };
  } catch {
    return null;
  }
}

// ── files ───────────────────────────────────────────────────────────────────────────────────────

/** Every regular file under `dir`, as paths relative to it, sorted. */
export function filesUnder(dir: string): string[] {
  const found: string[] = [];
  const walk = (current: string) => {
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else found.push(relative(dir, path));
    }
  };
  walk(dir);
  return found.sort();
}

/**
 * The problems with a cacache store of artifacts: content files whose bytes do not hash to the
 * name they are stored under, and anything left in its tmp folder. Empty: every entry is whole.
 */
export function artifactStoreProblems(cacheDir: string): string[] {
  const problems: string[] = [];
  for (const file of filesUnder(cacheDir)) {
    const parts = file.split('/');
    if (parts[0] === 'tmp') problems.push(`leftover temporary file ${file}`);
    if (parts[0] !== 'content-v2') continue;
    const [, algorithm, ...hexParts] = parts;
    const expected = hexParts.join('');
    const actual = createHash(algorithm!)
      .update(readFileSync(join(cacheDir, file)))
      .digest('hex');
    if (actual !== expected) problems.push(`${file} holds ${statSync(join(cacheDir, file)).size} bytes that hash to ${actual}`);
  }
  return problems;
}

// ── statistics ──────────────────────────────────────────────────────────────────────────────────

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
