import * as assert from 'node:assert/strict';
import { crashFromExit } from '../../../src/core/crash/exitCrash';

describe('crashes from an exit without a trace', () => {
  it('reports an OOM kill with the memory limit', () => {
    const r = crashFromExit({ exitCode: 137, signal: null, oomKilled: true, memoryLimitMb: 256 })!;
    assert.equal(r.type, 'OOMKilled');
    assert.equal(r.language, 'process');
    assert.match(r.message, /256 MB/);
    assert.equal(r.userFrame, null);
  });
  it('treats exit 137 without another explanation as an OOM kill', () => {
    assert.equal(crashFromExit({ exitCode: 137, signal: null, oomKilled: false })?.type, 'OOMKilled');
  });
  it('reports death by a signal, named or from the 128+N exit code', () => {
    const seg = crashFromExit({ exitCode: null, signal: 'SIGSEGV', oomKilled: false })!;
    assert.equal(seg.type, 'Signal');
    assert.match(seg.message, /SIGSEGV/);
    assert.match(crashFromExit({ exitCode: 134, signal: null, oomKilled: false })!.message, /SIGABRT/);
    assert.notEqual(seg.signature, crashFromExit({ exitCode: 134, signal: null, oomKilled: false })!.signature);
  });
  it('returns null for exit 0, an ordinary non-zero exit and a requested stop', () => {
    assert.equal(crashFromExit({ exitCode: 0, signal: null, oomKilled: false }), null);
    assert.equal(crashFromExit({ exitCode: 1, signal: null, oomKilled: false }), null);
    assert.equal(crashFromExit({ exitCode: 143, signal: null, oomKilled: false }), null);
    assert.equal(crashFromExit({ exitCode: null, signal: 'SIGTERM', oomKilled: false }), null);
  });
});
