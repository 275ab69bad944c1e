import * as assert from 'node:assert/strict';
import { guardDivision, guardMissingKey, guardNoneAttribute, optionalChain, safeLookup } from '../../../src/core/agent/builtinFixes';
import { addNodeDependency, addRequirement, npmPackageFor, pythonPackageFor } from '../../../src/core/agent/dependencyManifests';

describe('built-in rewrites', () => {
  describe('guardDivision', () => {
    const table: [string, string | null][] = [
      ['    return a / b', '    return (a / b if b else 0)'],
      ['    avg = sum(x) / len(x)', '    avg = (sum(x) / len(x) if len(x) else 0)'],
      ['    q = x // y', '    q = (x // y if y else 0)'],
      ['    r = x % y', '    r = (x % y if y else 0)'],
      ['    v = self.total / self.count + 1', '    v = (self.total / self.count if self.count else 0) + 1'],
      ['    v = data["sum"] / data["n"]', '    v = (data["sum"] / data["n"] if data["n"] else 0)'],
      ['    half = x / 2', null],
      ['    s = "%d items" % n', null],
      ['    path = "a/b"  # a/b', null],
      ['    x /= y', null],
      ['    return (a / b if b else 0)', null],
    ];
    for (const [input, want] of table) it(`${input.trim()} → ${want?.trim() ?? 'no change'}`, () => assert.equal(guardDivision(input), want));
  });

  describe('safeLookup / guardMissingKey', () => {
    it('picks the subscript whose key matches the KeyError message', () => {
      assert.equal(safeLookup('    total = row["amount"] * rates[row["currency"]]', "'currency'"), '    total = row["amount"] * rates[row.get("currency")]');
      assert.equal(safeLookup("    name = user['name']", "'name'"), "    name = user.get('name')");
    });
    it('uses the only variable-keyed subscript when the key is a runtime value', () => {
      assert.equal(safeLookup('    u = users[name]', "'alice'"), '    u = users.get(name)');
    });
    it('gives a lookup that is subscripted again a mapping default', () => {
      assert.equal(safeLookup('    w = cfg["size"]["w"]', "'size'"), '    w = cfg.get("size", {})["w"]');
    });
    it('turns a counter increment into get-with-default', () => {
      assert.equal(safeLookup('    counts[word] += 1', "'the'"), '    counts[word] = counts.get(word, 0) + 1');
    });
    it('leaves assignment targets alone', () => {
      assert.equal(safeLookup('    d["k"] = 1', "'k'"), null);
    });
    it('guards with continue inside a loop when the value is used as a container later', () => {
      const lines = ['for job in jobs:', '    size = job["payload"]', '    print(size["w"])'];
      assert.equal(guardMissingKey(lines, 1, "'payload'"), '    if "payload" not in job:\n        continue\n    size = job["payload"]');
    });
    it('does not guard when the value is not used as a container', () => {
      assert.equal(guardMissingKey(['def f(d):', '    n = d["n"]', '    return n + 1'], 1, "'n'"), null);
    });
  });

  describe('optionalChain', () => {
    it('makes the read nearest the column optional, and every read through the same object', () => {
      assert.equal(optionalChain('  return { id, name: user.name, city: user.profile.city };', 'name', 27), '  return { id, name: user?.name, city: user?.profile.city };');
    });
    it('handles a nested read', () => {
      assert.equal(optionalChain('  const c = req.body.user.city;', 'city'), '  const c = req.body.user?.city;');
    });
    it('handles bracket access and old-style messages', () => {
      assert.equal(optionalChain("  x = obj['key'] + 1;", 'key'), "  x = obj?.['key'] + 1;");
    });
    it('refuses to make an assignment target optional', () => {
      assert.equal(optionalChain('  a.b.c = 1;', 'c'), null);
    });
  });

  describe('guardNoneAttribute', () => {
    it('binds a call result once with := and guards the whole chain', () => {
      assert.equal(guardNoneAttribute('    v = re.match(r"(\\d+)", s).group(1).strip()', 'group'), '    v = (_obj.group(1).strip() if (_obj := re.match(r"(\\d+)", s)) is not None else None)');
    });
    it('guards a plain name', () => {
      assert.equal(guardNoneAttribute('    return user.name', 'name'), '    return (user.name if user is not None else None)');
    });
    it('guards an attribute assignment with an if', () => {
      assert.equal(guardNoneAttribute('    node.next = other', 'next'), '    if node is not None:\n        node.next = other');
    });
  });

  describe('manifests', () => {
    it('maps import names to PyPI packages', () => {
      assert.deepEqual(['yaml', 'cv2', 'PIL.Image', 'sklearn.linear_model', 'requests'].map(pythonPackageFor), ['PyYAML', 'opencv-python', 'Pillow', 'scikit-learn', 'requests']);
    });
    it('adds a requirement once, keeping the newline style', () => {
      assert.equal(addRequirement('flask==3.0\n', 'PyYAML'), 'flask==3.0\nPyYAML\n');
      assert.equal(addRequirement('flask', 'x'), 'flask\nx\n');
      assert.equal(addRequirement('a\r\n', 'b'), 'a\r\nb\r\n');
      assert.equal(addRequirement('pyyaml>=6\n', 'PyYAML'), null);
      assert.equal(addRequirement('', 'requests'), 'requests\n');
    });
    it('adds a Node dependency keeping indentation, and knows builtins and relative paths', () => {
      assert.equal(addNodeDependency('{\n    "name": "x"\n}\n', 'express'), '{\n    "name": "x",\n    "dependencies": {\n        "express": "*"\n    }\n}\n');
      assert.equal(addNodeDependency('{"dependencies": {"express": "^4"}}', 'express'), null);
      assert.deepEqual(['express', '@scope/pkg/sub', 'lodash/fp', './local', 'fs', 'node:fs'].map(npmPackageFor), ['express', '@scope/pkg', 'lodash', null, null, null]);
    });
  });
});
