// Builds dist/index.js (ES module, dependencies left as imports for the app's bundler) and
// dist/framelord-sync.browser.js (everything bundled, for pages that load the SDK directly: the tests).
import { build } from 'esbuild';

const common = { entryPoints: ['src/index.ts'], bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning' };
await build({ ...common, outfile: 'dist/index.js', packages: 'external' });
await build({ ...common, outfile: 'dist/framelord-sync.browser.js' });
