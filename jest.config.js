/** Root jest config: one project per workspace, TypeScript through SWC (type checking is `npm run typecheck`). */
const swc = [
  '@swc/jest',
  { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
];
const project = (name) => ({
  displayName: name,
  rootDir: require('path').join(__dirname, name),
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.tsx?$': swc, '^.+\\.m?js$': swc },
  // Packages published only as ES modules (JupyterLab's shared models and y-protocols' ESM entry points)
  // are compiled to CommonJS like our sources, so every copy of them shares the CommonJS yjs.
  transformIgnorePatterns: ['/node_modules/(?!(@jupyter/ydoc|y-protocols)/)'],
  testEnvironment: 'node',
});
module.exports = {
  rootDir: __dirname,
  projects: ['solver', 'kernel', 'extension', 'server'].map(project),
};
