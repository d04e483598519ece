// The browser build of @scalar/api-reference at the version package-lock.json pins, as bytes
// (wrangler.toml's Data rule; the Vitest integration applies the same rule). The package's
// "exports" do not list this file, so it is named by path. Types: scalar-standalone.d.ts.
export { default } from '../../node_modules/@scalar/api-reference/dist/browser/standalone.js';
