import { describe, expect, it } from 'vitest';
import { needsTsx, siblingModule } from '../src/start-worker.ts';

describe('siblingModule', () => {
  it('names the module beside the caller with the caller’s extension: sources under tsx, the build with plain node', () => {
    expect(siblingModule('start', 'file:///app/src/bin/start-sharded.ts').href).toBe('file:///app/src/bin/start.ts');
    expect(siblingModule('start', 'file:///app/dist/bin/start-sharded.js').href).toBe('file:///app/dist/bin/start.js');
    expect(siblingModule('pdf-thread', 'file:///my%20app/dist/ingest/pdf/pdf-reader.js').href).toBe('file:///my%20app/dist/ingest/pdf/pdf-thread.js');
  });

  it('runs only sources through tsx', () => {
    expect(needsTsx(new URL('file:///app/src/engine/build-worker-thread.ts'))).toBe(true);
    expect(needsTsx(new URL('file:///app/dist/engine/build-worker-thread.js'))).toBe(false);
  });
});
