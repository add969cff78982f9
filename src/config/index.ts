export { loadConfig, defaultConfigFile, type FlagOverride, type LoadOptions, type LoadedConfig } from './load.js';
export { ConfigError } from './errors.js';
export { parseDuration, formatDuration } from './duration.js';
export type { Config, PolicyConfig, AllowEntry, DenyEntry, NetworkConfig, UpstreamsConfig, ModelPolicy } from './schema.js';
