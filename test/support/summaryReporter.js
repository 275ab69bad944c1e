// Mocha reporter: the usual spec output, plus a JSON summary file that scripts/test.mjs turns into CI's line.
const Mocha = require('mocha');
const fs = require('node:fs');

class SummaryReporter extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    const counts = { passed: 0, failed: 0, pending: 0, failures: [] };
    runner.on('pass', () => counts.passed++);
    runner.on('fail', (test, err) => {
      counts.failed++;
      counts.failures.push({ title: test.fullTitle(), error: String(err && err.message) });
    });
    runner.on('pending', () => counts.pending++);
    runner.once('end', () => {
      const out = process.env.AUTODEV_TEST_SUMMARY;
      if (out) fs.writeFileSync(out, JSON.stringify(counts));
    });
  }
}
module.exports = SummaryReporter;
