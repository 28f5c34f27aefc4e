// Linting that guards behaviour, not style: every regular expression must be linear-time (issue #10).
import babelParser from '@babel/eslint-parser';
import regexp from 'eslint-plugin-regexp';

export default [
  { ignores: ['node_modules/**', 'web/dist/**', 'data/**', 'models/**', 'test-artifacts/**', '.tmp/**', 'eval/results/**', '.venv-tools/**'] },
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
];
