// Linting that guards behaviour, not style: every regular expression must be linear-time (issue #10).
import babelParser from '@babel/eslint-parser';
import regexp from 'eslint-plugin-regexp';

export default [
  { ignores: ['node_modules/**', 'web/dist/**', 'data/**', 'models/**', 'test-artifacts/**', '.tmp/**', 'eval/results/**', '.venv-tools/**', '.build/**'] },
  {
    files: ['**/*.{ts,js,mjs,cjs}'],
    languageOptions: {
      parser: babelParser,
      parserOptions: { requireConfigFile: false, babelOptions: { babelrc: false, configFile: false, plugins: ['@babel/plugin-syntax-typescript'] } },
    },
    plugins: { regexp },
    rules: {
      ...regexp.configs['flat/recommended'].rules,
      'regexp/no-super-linear-backtracking': ['error', { report: 'potential' }],
      'regexp/no-super-linear-move': ['error', { report: 'potential', ignoreSticky: false, ignorePartial: false }],
    },
  },
  {
    // Retrieval code runs in the answering worker threads too, where tsx (`--import tsx`) hooks only `require`: a
    // dynamic `import('./x.js')` of our own TypeScript there is resolved by Node alone and fails ("Cannot find
    // module …/x.js"), as it did for the local generator. Packages may still be imported lazily.
    files: ['retrieval/**/*.ts'],
    ignores: ['**/*.test.ts', '**/__fixtures__/**'],
    rules: {
      'no-restricted-syntax': ['error', { selector: "ImportExpression[source.value=/^[.]/]", message: 'Import our own modules statically: a worker thread cannot resolve a dynamic import of a .ts file (see eslint.config.js).' }],
    },
  },
];
