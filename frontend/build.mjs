// Build the editor bundle and copy GOV.UK Frontend into the portal's static folder.
//
// Usage: node build.mjs [OUTDIR]   (or EHCP_STATIC_DIR=OUTDIR node build.mjs)
// Default OUTDIR is ../portal/static. The output is deterministic: no source
// maps, no timestamps, no absolute paths, so tests/frontend/test_bundle.py can
// rebuild into a temporary folder and compare bytes with the committed files.
import { build } from 'esbuild'
import { mkdir, readdir, readFile, rm, writeFile, copyFile } from 'node:fs/promises'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const outDir = resolve(process.argv[2] || process.env.EHCP_STATIC_DIR || join(here, '..', 'portal', 'static'))
const govukSrc = join(here, 'node_modules', 'govuk-frontend', 'dist', 'govuk')

// The editor, and the sign-out script every signed-in page loads.
async function buildBundles () {
  const result = await build({
    absWorkingDir: here,
    entryPoints: ['src/editor.js', 'src/desk.js', 'src/sign-out.js'],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    sourcemap: false,
    legalComments: 'eof',
    charset: 'utf8',
    define: { 'process.env.NODE_ENV': '"production"' },
    write: false,
    outdir: '.',
    logLevel: 'warning'
  })
  for (const file of result.outputFiles) await writeFile(join(outDir, basename(file.path)), file.contents)
}

async function copyTree (src, dst) {
  await mkdir(dst, { recursive: true })
  const entries = (await readdir(src, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))
  for (const entry of entries) {
    const from = join(src, entry.name)
    const to = join(dst, entry.name)
    if (entry.isDirectory()) await copyTree(from, to)
    else await copyFile(from, to)
  }
}

// govuk-frontend's compiled CSS points at /assets/... (site root). We serve it
// from /static/govuk/, so make those URLs relative to the CSS file, and drop
// the source-map comments because the .map files are not shipped.
async function copyGovuk () {
  const dst = join(outDir, 'govuk')
  await rm(dst, { recursive: true, force: true })
  await mkdir(dst, { recursive: true })
  const css = (await readFile(join(govukSrc, 'govuk-frontend.min.css'), 'utf8'))
    .replace(/url\((['"]?)\/assets\//g, 'url($1assets/')
    .replace(/\n?\/\*# sourceMappingURL=[^*]*\*\/\s*$/, '\n')
  if (/url\(['"]?\//.test(css)) throw new Error('govuk-frontend.min.css still has a root-relative url(): update build.mjs')
  await writeFile(join(dst, 'govuk-frontend.min.css'), css)
  const js = (await readFile(join(govukSrc, 'govuk-frontend.min.js'), 'utf8'))
    .replace(/\/\/# sourceMappingURL=\S*\s*$/, '\n')
  await writeFile(join(dst, 'govuk-frontend.min.js'), js)
  await copyTree(join(govukSrc, 'assets'), join(dst, 'assets'))
}

await mkdir(outDir, { recursive: true })
await buildBundles()
await copyFile(join(here, 'src', 'app.css'), join(outDir, 'app.css'))
await copyFile(join(here, 'src', 'govuk-init.js'), join(outDir, 'govuk-init.js'))
await copyGovuk()
console.log(`built editor.js, desk.js, sign-out.js, app.css, govuk-init.js and govuk/ into ${outDir}`)
