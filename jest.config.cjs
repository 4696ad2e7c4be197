// Unit tests only (fast, no browser); the browser tests run with node --test.
// ES-module-only packages that ts-jest compiles to CommonJS for jest: three,
// lit (with its parts lit-html, lit-element and @lit/reactive-element) and
// @jupyter-widgets/base (the widget tests run on the real model).
const esmOnly = ['three', 'lit', 'lit-html', 'lit-element', '@lit', '@jupyter-widgets'].join('|');

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests/unit'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tests/tsconfig.json' }],
    // three and lit ship ES modules only (three's CommonJS build just re-requires them).
    [`^.+/node_modules/(${esmOnly})/.+\\.js$`]: ['ts-jest', { tsconfig: { allowJs: true, module: 'CommonJS' } }],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly})/)`],
  moduleNameMapper: {
    // Sources import siblings as "./x.js" (ESM style); map them to the .ts files.
    '^(\\.{1,2}/.*)\\.js$': '$1',
    '^three$': '<rootDir>/node_modules/three/build/three.module.js',
  },
};
