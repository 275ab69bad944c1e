import * as assert from 'node:assert/strict';
import { BuildProgressTracker, parseStep, stripAnsi } from '../../../src/core/runtime/buildProgress';

describe('build progress', () => {
  it('parses the classic builder step headers', () => {
    assert.deepEqual(parseStep('Step 3/7 : RUN npm install --omit=dev'), { index: 3, total: 7, text: 'RUN npm install --omit=dev' });
    assert.equal(parseStep(' ---> Running in 4f1c'), undefined);
  });

  it('removes colour, cursor and title escapes from text', () => {
    assert.equal(stripAnsi('\x1b[31mnpm ERR!\x1b[0m \x1b[1mcode\x1b[22m \x1b]0;title\x07E404\x1b[2K'), 'npm ERR! code E404');
  });

  it("names the failing step and its first real error line (npm's TLS failure, not its boilerplate)", () => {
    // Captured from `npm install` in autodev-offline/node:20 on this machine (its registry connection is intercepted).
    const out = [
      'Step 1/6 : FROM autodev-offline/node:20',
      ' ---> aae995ef31b1',
      'Step 5/6 : RUN cd /opt/autodev && npm install --omit=dev --no-audit --no-fund',
      ' ---> Running in 9d1f0e0c1a2b',
      '\x1b[37;40mnpm\x1b[0m \x1b[0m\x1b[31;40merror\x1b[0m \x1b[0m\x1b[35mcode\x1b[0m SELF_SIGNED_CERT_IN_CHAIN',
      'npm error errno SELF_SIGNED_CERT_IN_CHAIN',
      'npm error request to https://registry.npmjs.org/express failed, reason: self-signed certificate in certificate chain',
      'npm error A complete log of this run can be found in: /root/.npm/_logs/x.log',
      'AUTODEV_DEPENDENCY_INSTALL_FAILED: npm could not install the dependencies',
    ];
    const t = new BuildProgressTracker();
    const steps = out.map((l) => t.push(l)).filter(Boolean);
    assert.deepEqual(steps.map((s) => s!.index), [1, 5]);
    assert.equal(t.firstErrorLine(), 'npm error request to https://registry.npmjs.org/express failed, reason: self-signed certificate in certificate chain');
    assert.match(t.failure("The command '/bin/sh -c cd /opt/autodev' returned a non-zero code: 1"), /^step 5\/6 \(RUN cd \/opt\/autodev && npm install .*\) failed with exit code 1: npm error request to/);
  });

  it('names the compiler error of a failing build step', () => {
    const t = new BuildProgressTracker();
    for (const l of ['Step 4/9 : RUN python3 -m py_compile app.py', ' ---> Running in 1', '  File "app.py", line 3', '    def broken(:', '               ^', 'SyntaxError: invalid syntax']) t.push(l);
    assert.equal(t.failure('returned a non-zero code: 1'), 'step 4/9 (RUN python3 -m py_compile app.py) failed with exit code 1: SyntaxError: invalid syntax');
  });

  it('falls back to the daemon message before any step', () => {
    assert.equal(new BuildProgressTracker().failure('\x1b[1mdockerfile parse error line 1: unknown instruction: FORM\x1b[0m'), 'dockerfile parse error line 1: unknown instruction: FORM');
  });
});
