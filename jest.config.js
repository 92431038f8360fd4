// Jest runs the TypeScript sources directly (ts-jest, ESM, transpile only); `tsc -b` does the type checking.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/test'],
  testMatch: ['**/src/**/*.test.ts', '**/test/**/*.test.ts'],
  // The fresh-clone test (a full npm ci and test run in a temporary clone) runs only when asked for:
  // `npm run test:fresh-clone`.
  testPathIgnorePatterns: [
    '/node_modules/',
    '/dist/',
    ...(process.env.KUBECACHE_FRESH_CLONE === '1' ? [] : ['/test/fresh-clone']),
  ],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: {
    '^@kubecache/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
    '^@kubecache/([a-z-]+)/testing$': '<rootDir>/packages/$1/src/testing/index.ts',
    '^@kubecache/([a-z-]+)/internal$': '<rootDir>/packages/$1/src/internal/index.ts',
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  testTimeout: 30000,
};
