import * as assert from 'node:assert/strict';
import { scanText } from '../../../src/core/crash/scanText';
import { isStdinEof } from '../../../src/core/crash/needsInput';

describe('programs that want input', () => {
  // stderr of CPython 3.11 (autodev-offline/python:3.11) for `input()` with stdin closed (`docker run … < /dev/null`).
  const eof = ['Traceback (most recent call last):', '  File "/app/game.py", line 2, in <module>', '    choice = input("Where do you go? ")', '             ^^^^^^^^^^^^^^^^^^^^^^^^^^', 'EOFError: EOF when reading a line'];
  it('sees a read from a closed stdin as needing input, not as a bug', () => {
    const crashes = scanText(eof.join('\n'));
    assert.equal(crashes.length, 1);
    assert.equal(isStdinEof(crashes[0]), true);
  });
  it('leaves real bugs alone', () => {
    const crashes = scanText(['Traceback (most recent call last):', '  File "/app/app.py", line 4, in <module>', '    print(1 / 0)', 'ZeroDivisionError: division by zero'].join('\n'));
    assert.equal(isStdinEof(crashes[0]), false);
  });
});
