// The Hugging Face Hub behind the firewall, mounted at /-/hf/: what huggingface_hub (HF_ENDPOINT),
// @huggingface/hub (hubUrl) and transformers.js (env.remoteHost) ask of the Hub, decided by the
// model policy, with every file verified and inspected before it is cached or served.
import { join } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createArtifactStore } from '../../sources/artifacts.js';
import { modelPolicyContext } from '../../sources/model-policy.js';
import type { Mount, ServerContext } from '../context.js';
import { serveRepoInfo } from './info-route.js';
import { HF_PREFIX, parseHfPath } from './paths.js';
import { createHfRepos } from './repos.js';
import { serveResolve } from './resolve-route.js';
import { serveTree } from './tree-route.js';
import { sendHubError } from './responses.js';
import { FileVetter } from './vetting.js';

export function hfMount(context: ServerContext): Mount {
  const { config } = context;
  const policy = modelPolicyContext(config);
  const repos = createHfRepos(context, context.decider.http, policy);
  const artifacts = createArtifactStore({
    cacheDir: join(config.server.dataDir, 'cache', 'models'),
    timeoutMs: config.network.timeout,
    retries: config.network.retries,
    concurrency: config.network.concurrency,
  });
  const vetter = new FileVetter(config.policy.models.pickle);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendHubError(req, res, 405, `the Hugging Face endpoint answers GET and HEAD only, not ${req.method}`, { headers: { allow: 'GET, HEAD' } });
    // Offline, nothing may be asked of the Hub, and bundles do not carry models yet.
    if (config.offline) return sendHubError(req, res, 503, 'offline: this firewall contacts no upstream, and imported bundles do not carry Hugging Face models, so none are served');
    const path = parseHfPath(req.url ?? '');
    switch (path.kind) {
      case 'bad':
        return sendHubError(req, res, 400, path.message);
      case 'unknown':
        return sendHubError(req, res, 404, `${(req.url ?? '').split('?')[0]} is not served: the firewall answers the Hub's repo information and file listings (api/models/…, api/datasets/…) and file downloads (…/resolve/REV/PATH)`);
      case 'info':
        return serveRepoInfo(repos, req, res, path.repo, path.id, path.revision);
      case 'tree':
        return serveTree(repos, req, res, path);
      case 'resolve':
        return serveResolve({ context, repos, artifacts, vetter }, req, res, path);
    }
  }

  return { prefix: HF_PREFIX, handler: handle };
}
