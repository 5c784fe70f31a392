// Lint with type information (typescript-eslint's type-checked rules) over the whole package.
import eslint from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'test-artifacts/', '.data/', '.stryker-tmp/', 'reports/'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Wire header fields are raw numbers (a LAN device may send any value), compared with enum members on purpose.
      '@typescript-eslint/no-unsafe-enum-comparison': 'off',
      // Dropping a field by destructuring (`const { a: _a, ...rest }`) is the idiom for "all but".
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      // A `let` read by a callback before its assignment must stay `let` (a `const` would be in its dead zone).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
      // node:test runs top-level test()/describe() itself; their promises need no await.
      '@typescript-eslint/no-floating-promises': [
        'error',
        { allowForKnownSafeCalls: [{ from: 'package', package: 'node:test', name: ['test', 'describe', 'it', 'suite'] }] },
      ],
    },
  },
  {
    // A failing assert.ok(x) / assert(x) without a message makes Node read the call's source to
    // describe it; under tsx that source is transformed, so Node names the wrong expression or
    // loops forever (the test hangs instead of failing: found by mutation testing).
    files: ['**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "CallExpression[callee.object.name='assert'][callee.property.name='ok'][arguments.length<2]",
          message: 'Give assert.ok a message: without one, Node reads the tsx-transformed source and may hang.',
        },
        {
          selector: "CallExpression[callee.name='assert'][arguments.length<2]",
          message: 'Give assert() a message: without one, Node reads the tsx-transformed source and may hang.',
        },
      ],
    },
  },
  {
    // Plain JavaScript (the dashboard's browser script, build tools) has no type information to check.
    files: ['**/*.js', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['src/web/public/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'module' },
  },
  {
    files: ['tools/**/*.mjs', 'stryker/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: globals.node },
  },
);
