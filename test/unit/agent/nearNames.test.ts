import * as assert from 'node:assert/strict';
import { renameOnLine } from '../../../src/core/agent/builtinFixes';
import { attributeNames, editDistance, literalKeys, localModules, nearestName, pythonSuggestion } from '../../../src/core/agent/nearNames';

describe('near names (the built-in fixer\'s typo search)', () => {
  it('counts a swap of neighbours as one edit', () => {
    assert.equal(editDistance('expnad', 'expand'), 1);
    assert.equal(editDistance('complete', 'completed'), 1);
    assert.equal(editDistance('todo', 'todos'), 1);
    assert.equal(editDistance('abc', 'xyz'), 3);
  });
  it('picks the one nearest name within 2 edits, none on a tie or when too far', () => {
    assert.equal(nearestName('complete', ['title', 'completed']), 'completed');
    assert.equal(nearestName('titel', ['title', 'tiles']), 'title');
    assert.equal(nearestName('tile', ['tiles', 'tilt']), null, 'two names one edit away: no guess');
    assert.equal(nearestName('payload', ['id', 'name']), null);
    assert.equal(nearestName('ab', ['abc', 'xy']), 'abc');
    assert.equal(nearestName('ab', ['xyz']), null);
  });
  it("reads Python's own suggestion", () => {
    assert.equal(pythonSuggestion("name 'totl' is not defined. Did you mean: 'total'?"), 'total');
    assert.equal(pythonSuggestion("'Todo' object has no attribute 'titel'"), null);
  });
  it('collects literal keys of Python dicts and JS objects', () => {
    assert.deepEqual([...literalKeys("d = {'title': 1, \"done\": 2}\nd['extra'] = 3\nx = dict(count=1, size=2)\nconst o = { todos: [] };")].sort(), ['count', 'done', 'extra', 'size', 'title', 'todos']);
  });
  it('ignores comments: a comment naming the typo does not make it a defined name', () => {
    const names = attributeNames('// counts db.todo by mistake\nconst n = db.todos.length; /* db.todo */', 'js');
    assert.ok(names.has('todos') && !names.has('todo'));
  });
  it('lists local Python modules by stem and package, Node modules by path', () => {
    assert.deepEqual([...localModules(['app.py', 'expand.py', 'pkg/', 'pkg/__init__.py', 'README.md'], 'python')].sort(), ['app', 'expand', 'pkg', 'pkg.__init__']);
    assert.deepEqual([...localModules(['lib/', 'lib/db.js', 'server.mjs'], 'js')].sort(), ['lib/db', 'server']);
  });
  const table: [string, string, string, Parameters<typeof renameOnLine>[3], 'python' | 'js', string | null][] = [
    ["x = t['complete'] # 'complete'", 'complete', 'completed', 'key', 'python', "x = t['completed'] # 'complete'"],
    ['print(totl, "totl")', 'totl', 'total', 'identifier', 'python', 'print(total, "totl")'],
    ['a.totl + totl', 'totl', 'total', 'attribute', 'python', 'a.total + totl'],
    ['from expnad import *', 'expnad', 'expand', 'module', 'python', 'from expand import *'],
    ['import os, jsonn', 'jsonn', 'json', 'module', 'python', 'import os, json'],
    ["const u = require('./utlis');", './utlis', './utils', 'module', 'js', "const u = require('./utils');"],
    ['db.todo?.length', 'todo', 'todos', 'attribute', 'js', 'db.todos?.length'],
    ['print("no match")', 'totl', 'total', 'identifier', 'python', null],
  ];
  for (const [line, from, to, kind, lang, want] of table) {
    it(`renames ${kind} ${from} → ${to} in ${line}`, () => assert.equal(renameOnLine(line, from, to, kind, lang), want));
  }
});
