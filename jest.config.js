/** Root jest config: one project per workspace, TypeScript through SWC (type checking is `npm run typecheck`). */
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }];
const project = (name) => ({
  displayName: name,
  rootDir: require('path').join(__dirname, name),
  testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
  transform: { '^.+\\.tsx?$': swc },
  testEnvironment: 'node',
});
module.exports = {
  rootDir: __dirname,
  projects: ['solver', 'kernel', 'extension', 'server'].map(project),
};
