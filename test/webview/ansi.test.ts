/** The ANSI SGR parser behind the live log's colours. */
import assert from 'node:assert/strict';
import { color256, parseAnsi, stripAnsi } from '../../webview/ansi';

describe('ansi parser', () => {
  it('returns plain text as one unstyled segment', () => {
    assert.deepEqual(parseAnsi('hello <b>world</b>'), [{ text: 'hello <b>world</b>', style: null }]);
  });

  it('maps 16 colours, bold and reset to styled segments', () => {
    const segs = parseAnsi('\x1b[31mred\x1b[0m plain \x1b[1;92mbold bright green\x1b[m');
    assert.deepEqual(segs, [
      { text: 'red', style: { fg: 1 } },
      { text: ' plain ', style: null },
      { text: 'bold bright green', style: { bold: true, fg: 10 } },
    ]);
  });

  it('parses 256-colour and true-colour foregrounds and backgrounds (; and : forms)', () => {
    assert.deepEqual(parseAnsi('\x1b[38;5;196mA')[0].style, { fg: 'rgb(255, 0, 0)' });
    assert.deepEqual(parseAnsi('\x1b[48;2;10;20;30mB')[0].style, { bg: 'rgb(10, 20, 30)' });
    assert.deepEqual(parseAnsi('\x1b[38:2::1:2:3mC')[0].style, { fg: 'rgb(1, 2, 3)' });
    assert.equal(color256(244), 'rgb(128, 128, 128)');
    assert.equal(color256(3), 3);
  });

  it('turns attributes off individually (22, 39, 49)', () => {
    const segs = parseAnsi('\x1b[1;2;33;44mX\x1b[22mY\x1b[39;49mZ');
    assert.deepEqual(segs.map((s) => s.style), [{ bold: true, dim: true, fg: 3, bg: 4 }, { fg: 3, bg: 4 }, null]);
  });

  it('drops cursor movement, OSC titles/hyperlinks and stray control characters', () => {
    assert.equal(stripAnsi('\x1b[2K\x1b[1Gdone\x1b]0;title\x07 ok\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\\x07\x00'), 'done oklink');
  });

  it('keeps what follows the last carriage return, like a terminal shows a progress bar', () => {
    assert.equal(stripAnsi('10%\r50%\r100% done'), '100% done');
    assert.equal(stripAnsi('line\r'), 'line');
  });

  it('never produces markup: HTML in a line stays in the text', () => {
    const segs = parseAnsi('\x1b[31m<img src=x onerror=alert(1)>\x1b[0m');
    assert.equal(segs[0].text, '<img src=x onerror=alert(1)>');
  });
});
