// Builds dist/index.js (ES module, dependencies left as imports for the app's bundler) and
// dist/framelord-sync.browser.js (everything bundled, for pages that load the SDK directly: the
// browser tests and benchmarks). With --tests, transpiles src and test to .test-build for `node --test`.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

function files(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

if (process.argv.includes('--tests')) {
  rmSync('.test-build', { recursive: true, force: true });
  await build({
    entryPoints: [...files('src'), ...files('test')],
    outdir: '.test-build',
    outbase: '.',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
} else {
  const common = { entryPoints: ['src/index.ts'], bundle: true, format: 'esm', target: 'es2022', sourcemap: true, logLevel: 'warning' };
  await build({ ...common, outfile: 'dist/index.js', packages: 'external' });
  await build({ ...common, outfile: 'dist/framelord-sync.browser.js' });
}
