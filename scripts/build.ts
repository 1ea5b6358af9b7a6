/**
 * `npm run build`: the sources compiled to JavaScript in `dist/` (`-- --out-dir DIR` for another
 * folder inside a tree that has this project's node_modules), for hosts that run the bot for
 * good: `node dist/bin/start.js` starts without tsx's loader, in about two thirds of the time.
 * Files the modules read beside themselves (the off-topic probes) are copied along. A folder
 * that holds anything but an earlier build is never emptied.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCES = path.join(REPO_ROOT, 'src');
/** Marks a folder as this script's output, so a later build may replace it. */
const MARKER = '.ml-careers-bot-build';

function outDirFrom(argv: readonly string[]): string {
  const at = argv.indexOf('--out-dir');
  if (at < 0) return path.join(REPO_ROOT, 'dist');
  const dir = argv[at + 1];
  if (dir === undefined || dir.startsWith('--')) throw new Error('--out-dir takes a folder');
  return path.resolve(dir);
}

async function clear(outDir: string): Promise<void> {
  if (!existsSync(outDir)) return;
  const entries = await readdir(outDir);
  if (entries.length > 0 && !entries.includes(MARKER)) {
    throw new Error(`${outDir} holds files that are not an earlier build; choose an empty folder with --out-dir.`);
  }
  await rm(outDir, { recursive: true, force: true });
}

async function copyAssets(from: string, into: string): Promise<number> {
  let copied = 0;
  for (const entry of await readdir(from, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || entry.name.endsWith('.ts')) continue;
    const source = path.join(entry.parentPath, entry.name);
    await cp(source, path.join(into, path.relative(from, source)));
    copied++;
  }
  return copied;
}

async function main(): Promise<void> {
  const outDir = outDirFrom(process.argv.slice(2));
  await clear(outDir);
  // The compiler's own command, found through its package.json (its exports do not list it).
  const manifest = createRequire(import.meta.url).resolve('typescript/package.json');
  const { bin } = JSON.parse(await readFile(manifest, 'utf8')) as { bin: { tsc: string } };
  const tsc = path.join(path.dirname(manifest), bin.tsc);
  execFileSync(process.execPath, [tsc, '-p', path.join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', outDir], { stdio: 'inherit' });
  const assets = await copyAssets(SOURCES, outDir);
  await writeFile(path.join(outDir, MARKER), 'Built by `npm run build`; replaced by the next build.\n');
  process.stderr.write(`built ${path.relative(process.cwd(), outDir) || '.'} (${assets} data file${assets === 1 ? '' : 's'} copied)\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
