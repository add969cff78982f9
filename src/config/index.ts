export { loadConfig, defaultConfigFile, type FlagOverride, type LoadOptions, type LoadedConfig } from './load.js';
export { ConfigError } from './errors.js';
export { parseDuration, formatDuration, formatAge } from './duration.js';
export type {
  Config,
  PolicyConfig,
  AllowEntry,
  AllowListEntry,
  AdvisoryAllowEntry,
  DenyEntry,
  NetworkConfig,
  UpstreamsConfig,
  ModelPolicy,
  SeverityWord,
  FeedsConfig,
} from './schema.js';
export { splitAllowList } from './allow-list.js';
export { configKey } from './key.js';
