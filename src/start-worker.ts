import { Worker, type WorkerOptions } from 'node:worker_threads';

/**
 * Starts a worker thread running one module of this project. A `.ts` module needs tsx's loader
 * inside the worker, and on Node 20 a worker's entry is loaded before the `--import tsx` it
 * inherits takes effect, so the worker registers tsx itself, then imports the module. Works the
 * same under `npm start`, `npm run …` and vitest.
 */
export function startModuleWorker(entry: URL, options: Omit<WorkerOptions, 'eval'> = {}): Worker {
  const target = JSON.stringify(entry.href);
  const source = needsTsx(entry)
    ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${target}); });`
    : `import(${target});`;
  return new Worker(source, { ...options, eval: true });
}

/**
 * The module `name` of this project beside `from` (an `import.meta.url`), with `from`'s own
 * extension: `.ts` when run by tsx from the sources, `.js` once compiled by `npm run build`.
 */
export function siblingModule(name: string, from: string): URL {
  return new URL(`./${name}${from.endsWith('.ts') ? '.ts' : '.js'}`, from);
}

/** Whether a module must be run through tsx's loader (a source file, not the compiled build). */
export function needsTsx(entry: URL): boolean {
  return entry.pathname.endsWith('.ts');
}
