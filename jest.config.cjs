// Unit tests only (fast, no browser); the browser tests run with node --test.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/unit'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tests/tsconfig.json' }],
    // three ships ES modules only (its CommonJS build just re-requires them).
    '^.+/node_modules/three/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'CommonJS' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!three/)'],
  moduleNameMapper: {
    // Sources import siblings as "./x.js" (ESM style); map them to the .ts files.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^three$': '<rootDir>/node_modules/three/build/three.module.js',
  },
};
