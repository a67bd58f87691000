// ESLint flat config: TypeScript-aware recommended rules for every workspace; formatting is Prettier's job.
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');

module.exports = tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      'extension/lib/**',
      'extension/spicesim_extension/**',
      '.venv/**',
      '**/*.d.ts',
      '.yarn/**',
      'coverage/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        performance: 'readonly',
        URL: 'readonly',
        fetch: 'readonly',
        window: 'readonly',
        document: 'readonly',
        self: 'readonly',
        exports: 'writable',
        // Browser tests evaluate functions inside the page.
        localStorage: 'readonly',
        Event: 'readonly',
        requestAnimationFrame: 'readonly',
        getComputedStyle: 'readonly',
      },
    },
    rules: {
      // Unused parameters named _x document an interface's shape.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // CommonJS scripts and tests require() freely.
      '@typescript-eslint/no-require-imports': 'off',
      // JupyterLab's style keeps private helpers in `namespace Private` (see ../shared/STYLE.md).
      '@typescript-eslint/no-namespace': 'off',
      // Parsers of vendor files and notebooks strip control characters on purpose.
      'no-control-regex': 'off',
      '@typescript-eslint/no-explicit-any': 'warn',
      'no-regex-spaces': 'warn',
    },
  },
);
