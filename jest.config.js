// Jest runs the TypeScript sources directly (ts-jest, ESM, transpile only); `tsc -b` does the type checking.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/test'],
  testMatch: ['**/src/**/*.test.ts', '**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
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
