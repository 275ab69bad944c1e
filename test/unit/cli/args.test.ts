import * as assert from 'node:assert/strict';
import { parseArgs } from '../../../src/cli/args';
import { isAutoDevError } from '../../../src/core/errors';

describe('cli argument parser', () => {
  const spec = { image: 'string', yes: 'boolean', 'timeout-seconds': 'number' } as const;
  it('reads flags with and without =, and positionals', () => {
    const p = parseArgs(['dir', '--image', 'x:1', '--yes', '--timeout-seconds=5'], spec);
    assert.deepEqual(p, { positionals: ['dir'], flags: { image: 'x:1', yes: true, 'timeout-seconds': 5 } });
  });
  it('refuses unknown flags as usage errors', () => {
    assert.throws(() => parseArgs(['--bogus'], spec), (e) => isAutoDevError(e, 'Usage'));
    assert.throws(() => parseArgs(['-x'], spec), (e) => isAutoDevError(e, 'Usage'));
  });
  it('refuses a non-numeric number flag and a missing value', () => {
    assert.throws(() => parseArgs(['--timeout-seconds', 'abc'], spec), (e) => isAutoDevError(e, 'Usage'));
    assert.throws(() => parseArgs(['--image'], spec), (e) => isAutoDevError(e, 'Usage'));
  });
  it('keeps - as a positional (stdin)', () => {
    assert.deepEqual(parseArgs(['-'], spec).positionals, ['-']);
  });
});
