// The Hugging Face Hub behind the firewall, mounted at /-/hf/: what huggingface_hub (HF_ENDPOINT),
// @huggingface/hub (hubUrl) and transformers.js (env.remoteHost) ask of the Hub, decided by the
// model policy, with every file verified and inspected before it is cached or served.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { modelPolicyContext } from '../../sources/model-policy.js';
import type { Mount, ServerContext } from '../context.js';
import { serveRepoInfo } from './info-route.js';
import { HF_PREFIX, parseHfPath } from './paths.js';
import { createHfRepos } from './repos.js';
import { serveTree } from './tree-route.js';
import { sendHubError } from './responses.js';
import type { ResolveRequest } from './resolve-route.js';
import type { HfSource } from './source.js';

/** `source`: the Hub (hubSource) or, offline, the imported bundles (offlineHfSource). */
export function hfMount(context: ServerContext, source: HfSource): Mount {
  const { config } = context;
  const policy = modelPolicyContext(config);
  const repos = createHfRepos(context, source, policy);
  // File downloads, and the readers that inspect them (pickle, NumPy, safetensors, zip), load with
  // the first download: the firewall listens without them (the model policy and its lists are loaded now).
  let resolver: Promise<(req: IncomingMessage, res: ServerResponse, path: ResolveRequest) => Promise<void>> | undefined;
  const loadResolver = () =>
    (resolver ??= Promise.all([import('./resolve-route.js'), import('./vetting.js')]).then(([route, vetting]) => {
      const vetter = new vetting.FileVetter(config.policy.models.pickle);
      return (req, res, path) => route.serveResolve({ context, repos, source, vetter }, req, res, path);
    }));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendHubError(req, res, 405, `the Hugging Face endpoint answers GET and HEAD only, not ${req.method}`, {
        headers: { allow: 'GET, HEAD' },
      });
    const path = parseHfPath(req.url ?? '');
    switch (path.kind) {
      case 'bad':
        return sendHubError(req, res, 400, path.message);
      case 'unknown':
        return sendHubError(
          req,
          res,
          404,
          `${(req.url ?? '').split('?')[0]} is not served: the firewall answers the Hub's repo information and file listings (api/models/…, api/datasets/…) and file downloads (…/resolve/REV/PATH)`,
        );
      case 'info':
        return serveRepoInfo(repos, req, res, path.repo, path.id, path.revision);
      case 'tree':
        return serveTree(repos, req, res, path);
      case 'resolve':
        return (await loadResolver())(req, res, path);
    }
  }

  return { prefix: HF_PREFIX, handler: handle };
}
