// PEP 740 provenance objects (PyPI's Integrity API) read into publisher identities: each Trusted
// Publisher kind pypi-attestations models, a kind added later, and documents that are not provenance.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { provenancePublishers } from '../../src/protocol/pypi/provenance.js';

const provenance = (...publishers: Record<string, unknown>[]) => ({
  version: 1,
  attestation_bundles: publishers.map((publisher) => ({ publisher, attestations: [{ version: 1 }] })),
});

test('GitHub, GitLab and Google publishers; repositories compared without case, environments left out', () => {
  assert.equal(
    provenancePublishers(provenance({ kind: 'GitHub', repository: 'Acme/Tool', workflow: 'release.yml', environment: 'pypi' })),
    ['GitHub acme/tool (workflow release.yml)'],
  );
  assert.equal(
    provenancePublishers(
      provenance({ kind: 'GitLab', repository: 'group/sub/proj', workflow_filepath: '.gitlab-ci.yml', environment: null }),
    ),
    ['GitLab group/sub/proj (pipeline .gitlab-ci.yml)'],
  );
  assert.equal(provenancePublishers(provenance({ kind: 'Google', email: 'Publisher@Project.iam.gserviceaccount.com' })), [
    'Google service account publisher@project.iam.gserviceaccount.com',
  ]);
});

test('a kind this reader does not know is named by its string fields; several bundles give each publisher once, sorted', () => {
  assert.equal(provenancePublishers(provenance({ kind: 'ActiveState', organization: 'acme', project: 'tool', claims: { x: 1 } })), [
    'ActiveState (organization acme, project tool)',
  ]);
  const two = provenance(
    { kind: 'GitHub', repository: 'b/b', workflow: 'w.yml' },
    { kind: 'GitHub', repository: 'a/a', workflow: 'w.yml' },
    { kind: 'GitHub', repository: 'B/B', workflow: 'w.yml' },
  );
  assert.equal(provenancePublishers(two), ['GitHub a/a (workflow w.yml)', 'GitHub b/b (workflow w.yml)']);
});

test('documents that are not PEP 740 provenance are refused', () => {
  for (const bad of [
    null,
    [],
    { version: 2, attestation_bundles: [] },
    { version: 1 },
    { version: 1, attestation_bundles: [{ attestations: [] }] },
    provenance({ kind: 'GitHub', workflow: 'w.yml' }),
    provenance({ repository: 'a/b' }),
  ]) {
    assert.throws(() => provenancePublishers(bad), /provenance|publisher/, JSON.stringify(bad));
  }
});

test.run();
