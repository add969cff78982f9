// The layer rules (.dependency-cruiser.cjs) against a small tree of modules that break them every
// way we could think of, one file per attempt, plus files that keep them: each attempt must be
// reported under its rule, and the keepers must not be. The real tree is checked by `npm run lint`.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

const TREE: Record<string, string> = {
  // Keepers: imports the layers allow.
  'src/names/name.ts': 'export const name = 1;',
  'src/shared.ts': 'export class SharedError extends Error {}',
  'src/protocol/fails.ts': "import { SharedError } from '../shared.js';\nexport const a = SharedError;",
  'src/config/duration.ts': 'export const duration = 1;',
  'src/config/load.ts': "import { readFileSync } from 'node:fs';\nexport const load = readFileSync;",
  'src/config/index.ts': "export { load } from './load.js';\nexport { duration } from './duration.js';",
  'src/protocol/page.ts': "import { name } from '../names/name.js';\nexport const page = name;",
  'src/policy/keeper.ts':
    "import { name } from '../names/name.js';\nimport { duration } from '../config/duration.js';\nimport { page } from '../protocol/page.js';\nimport semver from 'semver';\nexport const keeper = [name, duration, page, semver];",
  'src/sources/source.ts':
    "import { readFileSync } from 'node:fs';\nimport { keeper } from '../policy/keeper.js';\nexport const source = [readFileSync, keeper];",
  'src/server/server.ts': "import { source } from '../sources/source.js';\nexport const server = source;",
  'src/mirror/mirror.ts': "import { server } from '../server/server.js';\nexport const mirror = server;",
  'src/cli/command.ts':
    "import { mirror } from '../mirror/mirror.js';\nimport { server } from '../server/server.js';\nexport const command = [mirror, server];",
  // Attempts.
  'src/policy/reads-files.ts': "import { readFileSync } from 'node:fs';\nexport const a = readFileSync;",
  'src/policy/spawns.ts': "import { spawn } from 'child_process';\nexport const a = spawn;",
  'src/policy/loads-later.ts': "export const a = () => import('node:net');",
  'src/policy/passes-on.ts': "export { request } from 'node:http';",
  'src/policy/through-barrel.ts': "import { duration } from '../config/index.js';\nexport const a = duration;",
  'src/policy/asks-sources.ts': "import { source } from '../sources/source.js';\nexport const a = source;",
  'src/policy/fetches.ts': "import got from 'got';\nexport const a = got;",
  'src/protocol/listens.ts': "import { createServer } from 'node:https';\nexport const a = createServer;",
  'src/protocol/caches.ts': "import cacache from 'cacache';\nexport const a = cacache;",
  'src/server/asks-cli.ts': "import { command } from '../cli/command.js';\nexport const a = command;",
  'src/shims/asks-cli.ts': "import type { command } from '../cli/command.js';\nexport type A = typeof command;",
  'src/sources/asks-server.ts': "import { server } from '../server/server.js';\nexport const a = server;",
  'src/names/asks-server.ts': "import type { server } from '../server/server.js';\nexport type A = typeof server;",
  'src/sources/asks-mirror.ts': "import { mirror } from '../mirror/mirror.js';\nexport const a = mirror;",
  'src/server/asks-shims.ts': "import { a } from '../shims/asks-cli.js';\nexport const b = a;",
  'src/shared-upward.ts': "import { name } from './names/name.js';\nexport const a = name;",
  'src/unplaced/module.ts': "import { name } from '../names/name.js';\nexport const a = name;",
  'src/server/cycle-a.ts': "import { b } from './cycle-b.js';\nexport const a = () => b;",
  'src/server/cycle-b.ts': "import type { a } from './cycle-a.js';\nexport const b: typeof a | null = null;",
  'src/server/missing.ts': "import { nothing } from './not-there.js';\nexport const a = nothing;",
  'tsconfig.json': JSON.stringify({
    compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true },
    include: ['src/**/*.ts'],
  }),
};

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

let violations: Violation[] = [];
let dir = '';

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'depfence-layers-'));
  for (const [file, text] of Object.entries(TREE)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), `${text}\n`);
  }
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'));
  const depcruise = join(REPO_ROOT, 'node_modules', '.bin', 'depcruise');
  const output = await new Promise<string>((resolve, reject) => {
    // Exits non-zero when it finds violations, which is the point here.
    execFile(
      depcruise,
      ['--config', join(REPO_ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json', 'src'],
      { cwd: dir, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (stdout.trim().startsWith('{')) resolve(stdout);
        else reject(new Error(`depcruise gave no report: ${error?.message ?? ''} ${stderr}`));
      },
    );
  });
  violations = (JSON.parse(output) as { summary: { violations: Violation[] } }).summary.violations;
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

function rulesFor(from: string): string[] {
  return [...new Set(violations.filter((violation) => violation.from === from).map((violation) => violation.rule.name))].sort();
}

const EXPECTED: Record<string, string[]> = {
  'src/policy/reads-files.ts': ['no-io-in-policy'],
  'src/policy/spawns.ts': ['no-io-in-policy'],
  'src/policy/loads-later.ts': ['no-io-in-policy'],
  'src/policy/passes-on.ts': ['no-io-in-policy'],
  // The barrel re-exports config/load.ts, which reads files: importing it is I/O, whatever is used.
  'src/policy/through-barrel.ts': ['no-io-in-policy'],
  'src/policy/asks-sources.ts': ['no-io-in-policy', 'not-in-allowed'],
  'src/policy/fetches.ts': ['no-io-in-policy'],
  'src/protocol/listens.ts': ['no-io-in-protocol'],
  'src/protocol/caches.ts': ['no-io-in-protocol'],
  'src/server/asks-cli.ts': ['no-cli-below', 'not-in-allowed'],
  'src/shims/asks-cli.ts': ['no-cli-below', 'not-in-allowed'],
  'src/sources/asks-server.ts': ['no-server-below', 'not-in-allowed'],
  'src/names/asks-server.ts': ['no-server-below', 'not-in-allowed'],
  'src/sources/asks-mirror.ts': ['not-in-allowed'],
  'src/server/asks-shims.ts': ['not-in-allowed'],
  // A folder nobody placed in the layers is refused until it is.
  'src/unplaced/module.ts': ['not-in-allowed'],
  'src/server/missing.ts': ['no-unresolvable', 'not-in-allowed'],
  // The top of src/ is shared by every folder, so it imports none of them.
  'src/shared-upward.ts': ['not-in-allowed'],
};

for (const [file, rules] of Object.entries(EXPECTED)) {
  test(`${file} breaks ${rules.join(' and ')}`, () => {
    assert.equal(rulesFor(file), rules);
  });
}

test('an import cycle is found, type-only imports included', () => {
  assert.ok(
    rulesFor('src/server/cycle-a.ts').includes('no-circular') || rulesFor('src/server/cycle-b.ts').includes('no-circular'),
    JSON.stringify(violations.filter((violation) => violation.from.includes('cycle'))),
  );
});

test('imports the layers allow are not reported', () => {
  const keepers = Object.keys(TREE).filter((file) => file.startsWith('src/') && !Object.hasOwn(EXPECTED, file) && !file.includes('cycle'));
  assert.equal(
    violations.filter((violation) => keepers.includes(violation.from)),
    [],
  );
});

test.run();
