// Promise: every deny and warn is in the JSONL audit log; appends from concurrent writers stay
// whole; the log rotates by size and `depfence log --since --decision` filters it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { AuditLog, type AuditRecord } from '../../src/server/audit.js';
import { runCliInProcess, isolatedEnv } from '../helpers/cli.js';

function record(name: string, decision: AuditRecord['decision'], time = new Date()): AuditRecord {
  return {
    time: time.toISOString(),
    client: 'pip',
    subject: 'project page',
    mode: 'enforce',
    ecosystem: 'pypi',
    name,
    version: null,
    decision,
    findings: [],
  };
}

test('rotation keeps every record whole, newest in audit.log, at most `keep` old files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'depfence-audit-'));
  const log = AuditLog.inDataDir(dir, { maxBytes: 4096, keep: 2 });
  for (let i = 0; i < 200; i++) log.record(record(`pkg-${i}`, 'allow'));
  assert.ok(existsSync(join(dir, 'audit.log.1')));
  assert.ok(existsSync(join(dir, 'audit.log.2')));
  assert.not.ok(existsSync(join(dir, 'audit.log.3')));
  assert.ok(readFileSync(join(dir, 'audit.log')).length <= 4096);
  const names = log.read().map((r) => r.name);
  assert.is(names.at(-1), 'pkg-199');
  const numbers = names.map((n) => Number(n.slice(4)));
  assert.equal(
    numbers,
    [...numbers].sort((a, b) => a - b),
    'oldest first, none out of order',
  );
});

test('concurrent writers in separate processes never interleave a record', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'depfence-audit-'));
  const script = `
    import { AuditLog } from ${JSON.stringify(new URL('../../src/server/audit.ts', import.meta.url).href)};
    const log = AuditLog.inDataDir(${JSON.stringify(dir)}, { maxBytes: 1e9, keep: 1 });
    const findings = [{ check: 'typosquat', severity: 'deny', message: 'x'.repeat(2000), evidence: {} }];
    for (let i = 0; i < 300; i++) log.record({ time: new Date().toISOString(), client: process.argv[1], subject: 's', mode: 'enforce', ecosystem: 'npm', name: 'n' + i, version: null, decision: 'deny', findings });
  `;
  const writers = ['a', 'b', 'c'].map(
    (id) =>
      new Promise<void>((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', import.meta.resolve('tsx'), '--input-type=module', '-e', script, id], {
          stdio: 'inherit',
        });
        child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${id} exited ${code}`))));
      }),
  );
  await Promise.all(writers);
  const lines = readFileSync(join(dir, 'audit.log'), 'utf8').trim().split('\n');
  assert.is(lines.length, 900);
  for (const line of lines) JSON.parse(line);
});

test('depfence log --since --decision filters the records', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'depfence-audit-'));
  const log = AuditLog.inDataDir(dataDir);
  log.record(record('old-deny', 'deny', new Date(Date.now() - 3 * 3_600_000)));
  log.record(record('new-deny', 'deny'));
  log.record(record('new-warn', 'warn'));
  log.record(record('new-allow', 'allow'));
  const env = isolatedEnv({ DEPFENCE_DATA_DIR: dataDir });
  const denies = await runCliInProcess(['log', '--since', '1h', '--decision', 'deny', '--json'], { env });
  assert.is(denies.code, 0);
  assert.equal(
    denies.stdout
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as AuditRecord).name),
    ['new-deny'],
  );
  const text = await runCliInProcess(['log', '--since', '1h'], { env });
  assert.match(text.stdout, /deny\s+pypi:new-deny\s+\[pip project page\]/);
  assert.not.match(text.stdout, /old-deny/);
  const bad = await runCliInProcess(['log', '--since', 'lately'], { env });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /--since "lately" is not a duration/);
});

test.run();
