// depfence's layers (DESIGN.md, "Layers"), checked by `npm run lint`. Each folder under src/ may
// import only the folders below it; the `allowed` list is the whole map, so a new folder or a new
// kind of import is a violation until it is placed. The `forbidden` rules name the mistakes that
// matter most, so their messages say what went wrong.
//
//   cli                                   the commands
//   mirror                                bundles: collect, vet (through a private firewall), import
//   shims                                 the wrappers
//   server                                `depfence serve`, online and offline
//   sources                               facts: upstream metadata, downloads, snapshots, threat data, the offline store
//   policy                                the checks and the engine: pure
//   config  names  protocol  inputs       configuration; names; wire formats (pure); input-file readers
//   src/*.ts                              what every layer shares (errors.ts: the one error type); imports no folder
const IO_MODULES =
  '^(node:)?(fs|fs/promises|net|tls|dgram|dns|dns/promises|http|https|http2|child_process|cluster|worker_threads|inspector)$';
const IO_PACKAGES = '(^|/)node_modules/(got|cacache|tar|verdaccio|node-fetch)/';

/** `layer` may import its own folder and the folders named in `below`. */
const layer = (name, below) => ({
  from: { path: `^src/${name}/` },
  to: { path: below.length === 0 ? `^src/${name}/` : `^src/(${[name, ...below].join('|')})/` },
});

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle: the modules cannot be understood, tested or loaded one at a time.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-cli-below',
      severity: 'error',
      comment:
        'cli/ is the top layer: what the server, the shims or the mirror share with it belongs in a lower folder (policy/, inputs/…).',
      from: { path: '^src/(?!cli/)' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'no-server-below',
      severity: 'error',
      comment: 'Only the shims, the mirror and the CLI use the server; the layers below it are what the server is built from.',
      from: { path: '^src/(config|names|protocol|inputs|policy|sources|types)/' },
      to: { path: '^src/server/' },
    },
    {
      name: 'no-io-in-policy',
      severity: 'error',
      comment:
        'policy/ is pure (no I/O, no clock, no globals): it must not reach the file system, the network, processes or sources/, not even through another module.',
      from: { path: '^src/policy/' },
      to: { path: [IO_MODULES, IO_PACKAGES, '^src/sources/'], reachable: true },
    },
    {
      name: 'no-io-in-protocol',
      severity: 'error',
      comment: 'protocol/ holds wire formats, parsers and renderers: pure, no I/O, not even through another module.',
      from: { path: '^src/protocol/' },
      to: { path: [IO_MODULES, IO_PACKAGES, '^src/sources/'], reachable: true },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that does not resolve.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  allowed: [
    {
      comment: 'Node built-ins and packages (the forbidden rules above restrict them per layer)',
      from: {},
      to: { dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'] },
    },
    { comment: 'type declarations for untyped packages', from: {}, to: { path: '^src/types/' } },
    { comment: 'the files at the top of src/ are the bottom layer, shared by every folder', from: {}, to: { path: '^src/[^/]+$' } },
    layer('config', []),
    layer('names', []),
    layer('protocol', ['names']),
    layer('inputs', ['names', 'protocol']),
    layer('policy', ['config', 'names', 'protocol']),
    layer('sources', ['config', 'names', 'protocol', 'inputs', 'policy']),
    layer('server', ['config', 'names', 'protocol', 'inputs', 'policy', 'sources']),
    layer('shims', ['config', 'names', 'protocol', 'inputs', 'policy', 'sources', 'server']),
    layer('mirror', ['config', 'names', 'protocol', 'inputs', 'policy', 'sources', 'server']),
    layer('cli', ['config', 'names', 'protocol', 'inputs', 'policy', 'sources', 'server', 'shims', 'mirror']),
  ],
  allowedSeverity: 'error',
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count: a cycle or an upward import is one whether or not it survives compilation.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      extensions: ['.ts', '.js'],
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
