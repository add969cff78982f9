export * from './types.js';
export type {
  PolicyContext,
  TyposquatMatcher,
  TyposquatMatch,
  Blocklists,
  BlocklistHit,
  PackageOrigin,
  Advisory,
  AffectingAdvisory,
  PackageAdvisories,
  AdvisoryLookup,
} from './context.js';
export { evaluate, verdictOf, deniedOnlyForMissingFacts, type EvaluateOptions } from './engine.js';
export { judgeVersion, type VersionToJudge, type VersionVerdict } from './versions.js';
export type { OutsideDependency } from './checks/dependency-sources.js';
export { internalNameRule } from './checks/confusion.js';
export { newestAllowedVersion, withNewestAllowed, type NewestAllowedQuery } from './way-forward.js';
export { formatWhen } from './checks/age.js';
export { suggestNames } from './checks/exists.js';
export { vulnerabilityWayOut } from './checks/advisories.js';
