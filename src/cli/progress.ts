import { Presets, SingleBar } from 'cli-progress';
import type { BuildProgress } from '../types.ts';

/** Plain progress lines (no terminal) come at most this often, plus one per phase. */
const LINE_INTERVAL_MS = 2_000;

export interface ProgressView {
  update(progress: BuildProgress): void;
  stop(): void;
}

/**
 * Shows a build's progress on `stream` (stderr: stdout carries only the report): a bar on a
 * terminal, plain lines otherwise (a log file, CI). Nothing at all when every passage was
 * reused, since there is nothing to wait for.
 */
export function buildProgressView(stream: NodeJS.WriteStream = process.stderr): ProgressView {
  return stream.isTTY ? barView(stream) : lineView(stream);
}

function barView(stream: NodeJS.WriteStream): ProgressView {
  const bar = new SingleBar(
    { stream, format: '{phase} |{bar}| {value}/{total} passages | {duration_formatted}, ETA {eta_formatted}', hideCursor: true, etaBuffer: 50 },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      if (!started) {
        if (p.phase === 'indexing' || p.done === p.total) return;
        bar.start(p.total, p.done, { phase: 'Embedding' });
        started = true;
      }
      bar.update(p.done, { phase: p.phase === 'embedding' ? 'Embedding' : 'Indexing ' });
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}

function lineView(stream: NodeJS.WriteStream): ProgressView {
  let lastAt = 0;
  let lastPhase: BuildProgress['phase'] | undefined;
  let embedding = false;
  return {
    update(p) {
      const now = Date.now();
      if (p.phase === 'embedding') {
        if (!embedding && p.done === p.total) return;
        embedding = true;
        if (lastPhase === 'embedding' && now - lastAt < LINE_INTERVAL_MS && p.done < p.total) return;
        stream.write(`Embedding passages: ${p.done}/${p.total}\n`);
      } else if (embedding && lastPhase !== 'indexing') {
        stream.write(`Building the indexes (${p.total} passages)\n`);
      }
      lastAt = now;
      lastPhase = p.phase;
    },
    stop() {},
  };
}
