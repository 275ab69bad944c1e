import * as assert from 'node:assert/strict';
import { answerDifferences, judgeCrashAnswer, normalizeOutputLine, outputDifference, type Answer } from '../../../src/core/replay/answerShape';

const json = (status: number, value: unknown): Answer => ({ status, contentType: 'application/json', body: JSON.stringify(value) });

describe('differential replay: answer shapes', () => {
  it('finds nothing when the patched app answers like the unpatched one', () => {
    assert.deepEqual(answerDifferences(json(200, { todos: [{ title: 'a', done: true }], total: 1 }), json(200, { todos: [{ title: 'a', done: true }], total: 1 })), []);
    assert.deepEqual(answerDifferences(json(201, { id: 2 }), json(200, { id: 3 })), [], 'same status class, same shape');
  });
  it('names a dropped field, a changed type, a changed list length, a status class and a content type', () => {
    assert.deepEqual(answerDifferences(json(200, { todos: [], total: 0 }), json(200, { todos: [] })), ['$.total is missing']);
    assert.deepEqual(answerDifferences(json(200, { total: 3 }), json(200, { total: null })), ['$.total was a number, now null']);
    assert.deepEqual(answerDifferences(json(200, [{ a: 1 }, { a: 2 }]), json(200, [])), ['$ had 2 items, now 0']);
    assert.deepEqual(answerDifferences(json(200, {}), json(500, {})), ['status 200 → 500']);
    assert.deepEqual(answerDifferences(json(200, {}), { status: 200, contentType: 'text/html', body: '<p>' }), ['content type application/json → text/html', 'the answer is no longer JSON']);
    assert.deepEqual(answerDifferences(json(200, {}), { status: null, contentType: null, body: '' }), ['status 200 → no answer']);
  });
  it("refuses a crash answer that lacks what the route's other answers have", () => {
    const peers = [json(200, { todos: [{ title: 'a' }], total: 1 }), json(200, { todos: [], total: 0 })];
    assert.equal(judgeCrashAnswer(json(200, { todos: [{ title: 'b' }] }), peers, 'GET /todos').verdict, 'refused');
    assert.match(judgeCrashAnswer(json(200, { todos: [{ title: 'b' }] }), peers, 'GET /todos').detail, /\$\.total is missing/);
    assert.equal(judgeCrashAnswer(json(200, { todos: [{ title: 'b' }], total: 1 }), peers, 'GET /todos').verdict, 'ok');
    assert.equal(judgeCrashAnswer(json(400, { error: 'title is required' }), peers, 'POST /todos').verdict, 'ok', 'a 4xx refuses bad input honestly');
    assert.equal(judgeCrashAnswer(json(500, {}), peers, 'GET /todos').verdict, 'refused');
  });
  it('flags a default-looking answer as masking the error', () => {
    assert.equal(judgeCrashAnswer(json(200, []), [json(200, [{ id: 1 }])], 'GET /todos?filter=complete').verdict, 'masks');
    assert.equal(judgeCrashAnswer(json(200, { items: [], total: null }), [], 'GET /x').verdict, 'masks');
    const nested = judgeCrashAnswer(json(200, { todos: [], total: 0 }), [json(200, { todos: [{ id: 1 }], total: 1 })], 'GET /todos?status=done');
    assert.deepEqual([nested.verdict, /\$\.todos/.test(nested.detail)], ['masks', true]);
    assert.equal(judgeCrashAnswer({ status: 200, contentType: 'text/plain', body: '' }, [], 'GET /x').verdict, 'masks');
    assert.equal(judgeCrashAnswer(json(200, { average: 0 }), [], 'GET /stats').verdict, 'ok', 'a zero is an answer, not a default');
  });
  it('compares program output up to the crash point, ignoring times and addresses', () => {
    assert.equal(normalizeOutputLine('2026-12-01 08:30:25,123 started pid=42 at 0x7f00aa'), '<time>,123 started pid <n> at <addr>');
    assert.equal(outputDifference(['service starting', 'bill: 120.00, people: 0'], ['service starting', 'bill: 120.00, people: 0', 'each pays 0.00']), null);
    assert.match(outputDifference(['bill: 120.00, people: 0'], ['bill: 120.00 total, people: 0'])!, /line 1 of the output changed/);
    assert.match(outputDifference(['a', 'b'], ['a'])!, /printed 1 line where the unpatched run printed 2/);
  });
});
