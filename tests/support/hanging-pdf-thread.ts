/** A PDF thread that never answers: stands for a PDF that hangs the parser. */
import { parentPort } from 'node:worker_threads';

parentPort?.on('message', () => {
  // Busy forever, as a parser caught in a loop would be.
  for (;;) {
    // spin
  }
});
