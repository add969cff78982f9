// A small command-line scanner in the style of the tools' own parsers: long options with `=` or a
// separate value, unique-prefix abbreviations where the tool accepts them (pip's optparse, npm's
// nopt), and clusters of short options (`-qqr file`). It only has to tell options, their values
// and positional arguments apart; the tools themselves still parse and validate everything.

export interface OptionSpec {
  /** The long form, `--extra-index-url`; short aliases map to it. */
  name: string;
  takesValue: boolean;
}

export interface OptionTable {
  long: ReadonlyMap<string, OptionSpec>;
  short: ReadonlyMap<string, OptionSpec>;
  /** Whether `--extra-ind` means `--extra-index-url` (optparse, nopt), or is unknown (clap). */
  abbreviations: boolean;
  /** Options whose abbreviations are read as them even when ambiguous (the ones a shim refuses). */
  sensitive?: ReadonlySet<string>;
  /** Options not in the table but recognised by shape (npm's `--@scope:registry`). */
  dynamic?: (written: string) => OptionSpec | null;
}

export interface ScannedOption {
  /** The long name it resolves to, or null for an option the table does not know. */
  name: string | null;
  /** As written (`-i`, `--extra-index`, `--index-url=…`). */
  written: string;
  value: string | null;
}

export interface ScannedArgs {
  options: ScannedOption[];
  positionals: string[];
}

/** `{'--index-url': true, '--pre': false}` from the options that take a value and those that do not. */
export function longOptions(values: readonly string[], flags: readonly string[]): Record<string, boolean> {
  return Object.fromEntries([...values.map((name) => [name, true] as const), ...flags.map((name) => [name, false] as const)]);
}

/** Builds a table from `{'--index-url': true, '--pre': false}` and short aliases `{'-i': '--index-url'}`. */
export function optionTable(
  longs: Record<string, boolean>,
  shorts: Record<string, string>,
  abbreviations: boolean,
  sensitive: string[] = [],
): OptionTable {
  const long = new Map<string, OptionSpec>();
  for (const [name, takesValue] of Object.entries(longs)) long.set(name, { name, takesValue });
  const short = new Map<string, OptionSpec>();
  for (const [alias, name] of Object.entries(shorts)) {
    const spec = long.get(name);
    if (!spec) throw new Error(`option table: ${alias} is an alias of unknown ${name}`);
    short.set(alias, spec);
  }
  return { long, short, abbreviations, sensitive: new Set(sensitive) };
}

export function resolveLong(written: string, table: OptionTable): OptionSpec | null {
  const exact = table.long.get(written) ?? table.dynamic?.(written);
  if (exact) return exact;
  if (!table.abbreviations || written.length < 3) return null;
  const candidates = [...table.long.values()].filter((spec) => spec.name.startsWith(written));
  const distinct = [...new Set(candidates.map((spec) => spec.name))];
  if (distinct.length === 1) return candidates[0]!;
  // Ambiguous for us; the tool may know fewer options than we do. Take the one we must not miss.
  const sensitive = candidates.find((spec) => table.sensitive?.has(spec.name));
  return sensitive ?? null;
}

/**
 * Scans arguments. With `stopAt`, scanning ends at the first positional for which it returns true
 * (the rest are returned as positionals unscanned).
 */
export function scanArgs(args: readonly string[], table: OptionTable, stopAt?: (positional: string) => boolean): ScannedArgs {
  const options: ScannedOption[] = [];
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (arg.startsWith('--') && arg.length > 2) {
      const equals = arg.indexOf('=');
      const written = equals === -1 ? arg : arg.slice(0, equals);
      const spec = resolveLong(written, table);
      if (equals !== -1) options.push({ name: spec?.name ?? null, written, value: arg.slice(equals + 1) });
      else if (spec?.takesValue) options.push({ name: spec.name, written, value: args[++index] ?? null });
      else options.push({ name: spec?.name ?? null, written, value: null });
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      scanShortCluster(arg, table, options, () => args[++index] ?? null);
      continue;
    }
    if (stopAt?.(arg)) {
      positionals.push(...args.slice(index));
      break;
    }
    positionals.push(arg);
  }
  return { options, positionals };
}

function scanShortCluster(arg: string, table: OptionTable, options: ScannedOption[], next: () => string | null): void {
  for (let at = 1; at < arg.length; at++) {
    const written = `-${arg[at]}`;
    const spec = table.short.get(written);
    if (!spec) {
      options.push({ name: null, written, value: null });
      if (arg[at + 1] === '=') return; // `-x=value` of an unknown option: the value is not ours
      continue;
    }
    if (!spec.takesValue) {
      options.push({ name: spec.name, written, value: null });
      continue;
    }
    const rest = arg.slice(at + 1).replace(/^=/, '');
    options.push({ name: spec.name, written, value: rest !== '' ? rest : next() });
    return;
  }
}
