// PEP 740 provenance objects (PyPI's Integrity API, `GET /integrity/<project>/<version>/<filename>/provenance`,
// the URL a simple page gives as a file's `provenance`): `{version: 1, attestation_bundles: [{publisher,
// attestations}]}`. Each bundle names the Trusted Publisher PyPI verified when the file was uploaded:
// `{kind: "GitHub", repository, workflow, environment?}`, `{kind: "GitLab", repository,
// workflow_filepath, environment?}`, `{kind: "Google", email}` (pypi-attestations' models), and
// possibly kinds added later. depfence reads who published a file from it; it does not verify the
// Sigstore signatures again (PyPI did on upload).
import { MalformedPageError } from './model.js';

/**
 * The publisher identities of a provenance object, one line each, written so that the same
 * publisher always gives the same line: repositories lower-cased (GitHub and GitLab compare them
 * without case), the environment left out (moving a workflow to another environment is routine;
 * another repository or workflow is not).
 */
export function provenancePublishers(document: unknown): string[] {
  if (!isRecord(document) || document.version !== 1 || !Array.isArray(document.attestation_bundles)) {
    throw new MalformedPageError('the provenance object is not a PEP 740 provenance (version 1 with attestation_bundles)');
  }
  const identities = document.attestation_bundles.map((bundle, index) => {
    if (!isRecord(bundle) || !isRecord(bundle.publisher)) throw new MalformedPageError(`attestation_bundles[${index}] has no publisher`);
    return publisherIdentity(bundle.publisher, index);
  });
  return [...new Set(identities)].sort();
}

function publisherIdentity(publisher: Record<string, unknown>, index: number): string {
  const field = (name: string): string => {
    const value = publisher[name];
    if (typeof value !== 'string' || value === '') throw new MalformedPageError(`attestation_bundles[${index}].publisher has no ${name}`);
    return value;
  };
  switch (field('kind')) {
    case 'GitHub':
      return `GitHub ${field('repository').toLowerCase()} (workflow ${field('workflow')})`;
    case 'GitLab':
      return `GitLab ${field('repository').toLowerCase()} (pipeline ${field('workflow_filepath')})`;
    case 'Google':
      return `Google service account ${field('email').toLowerCase()}`;
    default: {
      // A kind this reader does not know yet: every string field but the environment names it.
      const named = Object.entries(publisher)
        .filter(([key, value]) => key !== 'kind' && key !== 'environment' && typeof value === 'string')
        .map(([key, value]) => `${key} ${String(value)}`)
        .sort();
      return `${field('kind')}${named.length > 0 ? ` (${named.join(', ')})` : ''}`;
    }
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
