// Builds the web app into the server's wwwroot: app.js (the app), sw.js (the service worker),
// app.css, and the files of public/ as they are. The output depends only on the sources and the
// pinned package versions (no timestamps, no absolute paths, no source maps), so it is committed,
// and `node build.mjs --check` fails when the committed files differ from a fresh build.
import { build } from 'esbuild'
import { createHash } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const wwwroot = join(here, '..', '..', 'src', 'FrameLord.Sync.Server', 'wwwroot')
const check = process.argv.includes('--check')

const common = {
  bundle: true,
  minify: true,
  target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
  legalComments: 'eof',
  charset: 'utf8',
  logLevel: 'warning',
  absWorkingDir: here,
  write: false,
  // The SDK is bundled from its sources, so the app never waits for (or lags behind) its dist build.
  alias: { '@framelord/sync': '../sdk/src/index.ts' },
}

async function buildInto (out) {
  await mkdir(out, { recursive: true })
  const files = new Map()
  const app = await build({ ...common, entryPoints: { app: 'src/main.ts' }, format: 'esm', outdir: out })
  const css = await build({ ...common, entryPoints: { app: 'src/styles.css' }, outdir: out })
  for (const file of [...app.outputFiles, ...css.outputFiles]) files.set(relative(out, file.path), file.contents)
  for (const name of await readdir(join(here, 'public'))) files.set(name, await readFile(join(here, 'public', name)))

  // The service worker's cache name is a hash of the shell it caches: a new build installs a new
  // worker, which replaces the old cache.
  const shell = ['index.html', 'app.js', 'app.css', 'icon.svg', 'manifest.webmanifest']
  const hash = createHash('sha256')
  for (const name of shell) hash.update(name).update(files.get(name))
  const sw = await build({
    ...common,
    entryPoints: { sw: 'src/sw/service-worker.ts' },
    format: 'iife',
    outdir: out,
    define: {
      SHELL_VERSION: JSON.stringify(hash.digest('hex').slice(0, 16)),
      SHELL_FILES: JSON.stringify(shell),
    },
  })
  for (const file of sw.outputFiles) files.set(relative(out, file.path), file.contents)

  for (const [name, contents] of files) await writeFile(join(out, name), contents)
  return [...files.keys()].sort()
}

if (!check) {
  const names = await buildInto(wwwroot)
  console.log(`built ${names.join(', ')} into ${relative(process.cwd(), wwwroot) || '.'}`)
} else {
  const fresh = await mkdtemp(join(tmpdir(), 'framelord-app-'))
  try {
    const names = await buildInto(fresh)
    const committed = (await readdir(wwwroot)).sort()
    const problems = []
    for (const name of new Set([...names, ...committed])) {
      if (!names.includes(name)) problems.push(`${name}: in wwwroot but not produced by the build`)
      else if (!committed.includes(name)) problems.push(`${name}: produced by the build but missing from wwwroot`)
      else if (!(await readFile(join(fresh, name))).equals(await readFile(join(wwwroot, name)))) problems.push(`${name}: differs from a fresh build`)
    }
    if (problems.length > 0) {
      console.error('The committed web app bundle is stale; run `npm run build` in web/app and commit wwwroot:\n  ' + problems.join('\n  '))
      process.exitCode = 1
    } else {
      console.log(`the committed bundle matches a fresh build (${names.length} files)`)
    }
  } finally {
    await rm(fresh, { recursive: true, force: true })
  }
}
