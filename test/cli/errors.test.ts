// One error type, printed and mapped to an exit code in one place (cli/command-error.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { inCommand, reportError } from '../../src/cli/command-error.js';
import { EXIT } from '../../src/policy/exit-codes.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { ConfigError } from '../../src/config/errors.js';
import { DepfenceError } from '../../src/errors.js';
import { MirrorError } from '../../src/sources/offline-store/errors.js';
import { UpdateError } from '../../src/sources/osv/update-error.js';
import { ArtifactError, UpstreamError } from '../../src/sources/upstream-error.js';

function report(error: DepfenceError): { code: number; lines: string[] } {
  const lines: string[] = [];
  return { code: reportError(error, (line) => lines.push(line)), lines };
}

test('every layer raises a DepfenceError; the exit code follows from its code alone', () => {
  const cases: [DepfenceError, number][] = [
    [new UsageError('bad spec'), EXIT.usage],
    [new ConfigError('bad key'), EXIT.usage],
    [new UpdateError('not a feed'), EXIT.usage],
    [new MirrorError('EINPUT', 'bad input'), EXIT.usage],
    [new UpstreamError('EUPSTREAM_TIMEOUT', 'http://x/', 'slow'), EXIT.factsUnavailable],
    [new MirrorError('EFACTS', 'upstream down'), EXIT.factsUnavailable],
    [new MirrorError('EDENIED', 'denied'), EXIT.denied],
    [new ArtifactError('EARTIFACT_INTEGRITY', 'http://x/', 'bad hash'), EXIT.denied],
    [new DepfenceError('ESOMETHING_NEW', 'a code nobody mapped'), EXIT.denied],
  ];
  for (const [error, exit] of cases) {
    assert.instance(error, DepfenceError);
    assert.is(report(error).code, exit, error.code);
  }
});

test('the message is what happened and why, then the hint; problems follow on their own lines', () => {
  const error = new DepfenceError('EX', 'the file is broken', { hint: 'rebuild it', problems: ['line 3: bad', 'line 9: bad'] });
  assert.is(error.message, 'the file is broken; rebuild it');
  assert.equal(report(error).lines, ['depfence: the file is broken; rebuild it', '  line 3: bad', '  line 9: bad']);
});

test('a command adds what failed and what it left undone, keeping the code (and so the exit code)', () => {
  const cause = new UpstreamError('EUPSTREAM_STATUS', 'http://x/feed.zip', 'feed at http://x/feed.zip answered HTTP 503', {
    hint: 'try again later',
    status: 503,
  });
  const failed = inCommand(cause, 'update failed: ', 'the index in force was left as it was');
  assert.is(
    failed.message,
    'update failed: feed at http://x/feed.zip answered HTTP 503; try again later; the index in force was left as it was',
  );
  assert.is(failed.cause, cause);
  assert.is(report(failed).code, EXIT.factsUnavailable);
});

test.run();
