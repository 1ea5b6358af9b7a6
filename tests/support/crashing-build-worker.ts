/**
 * A build worker thread that dies on its first request, the way a thread that runs out of memory
 * or hits a bug in a native addon does: for testing that a reindex fails cleanly.
 */
import { parentPort } from 'node:worker_threads';

parentPort!.once('message', () => {
  process.exit(70);
});
