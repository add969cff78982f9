// The model policy's read-only context, built from the configuration once per process: the
// policy, the allow and deny entries, the look-alike matcher and the models.lock if one is set.
import { splitAllowList, type Config } from '../config/index.js';
import type { ModelPolicyContext } from '../policy/models/index.js';
import { hfLookalikeMatcher } from './hf-popular.js';
import { readModelLock } from './model-lock.js';

export function modelPolicyContext(config: Config): ModelPolicyContext {
  const { models } = config.policy;
  return {
    policy: models,
    allow: splitAllowList(config.allow).packages,
    deny: config.deny,
    lookalike: hfLookalikeMatcher(),
    lock: models.lock === null ? null : readModelLock(models.lock),
    hubToken: Boolean(config.upstreams.huggingface.token),
  };
}
