// ESLint flat config: typescript-eslint's strict and stylistic type-checked rules over src/, test/
// and scripts/ (one TypeScript program, tsconfig.test.json, covers all three), with
// eslint-config-prettier last so that layout is Prettier's alone.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.tmp/', '.corpus/', 'test/bench/.baseline-*/'] },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: './tsconfig.test.json',
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Numbers and booleans read naturally in messages; objects, arrays, null and undefined
      // (the real mistakes) are still reported.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      // An empty string means "unset" for environment variables (XDG, HOME) and HTML attributes,
      // so `value || fallback` on strings is meant; `??` is still asked for on other types.
      '@typescript-eslint/prefer-nullish-coalescing': ['error', { ignorePrimitives: { string: true } }],
      // Passing on a caught `unknown` is fine, as only-throw-error allows for `throw`.
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingUnknown: true }],
      // `const { dataDir: _dataDir, ...rest } = server` is how a key is left out of a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // No-op callbacks (`() => {}` for an ignored event, a done() with nothing to release) are
      // deliberate; empty methods and functions are still reported.
      '@typescript-eslint/no-empty-function': ['error', { allow: ['arrowFunctions'] }],
      // Off: `return sendError(res, …)` ends a handler by answering, and the rule's option for
      // void functions does not cover async ones (Promise<void>).
      '@typescript-eslint/no-confusing-void-expression': 'off',
      // Off: noUncheckedIndexedAccess types every indexed read as possibly undefined, so `rows[i]!`
      // after a bounds check is the honest spelling; no-unnecessary-type-assertion still reports a
      // `!` on a value that cannot be nullish.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Off: depfence matches control characters on purpose, to reject or escape them in names,
      // paths, queries and terminal output.
      'no-control-regex': 'off',
      // Off: the deleted keys are headers, environment variables and manifest fields, records that
      // Node's APIs and the JSON files define; a Map is not an option for them.
      '@typescript-eslint/no-dynamic-delete': 'off',
      // Off: indexed loops over byte buffers in hot paths are deliberate (for-of on a Buffer runs
      // its iterator per byte).
      '@typescript-eslint/prefer-for-of': 'off',
    },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Off in tests: they read JSON answers field by field to assert on them, and a field that is
      // not there fails the assertion; typing every answer would restate the fixtures.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Off in tests: suites declare their fixtures `let npm: NpmUpstream` and start them in
      // before(); after() closes them with `npm?.close()` in case before() failed, which the
      // declared types cannot say.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
  prettier,
);
