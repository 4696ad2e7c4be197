// Fails the run when a test runner skipped, focused away or ran no test, and
// prints "<suite>: N passed, N failed". Reads jest's --json output or a TAP file
// from node's test runner, or pytest's JUnit XML:  node tests/check-no-skips.mjs jest|tap|junit FILE SUITE
import fs from 'node:fs';

const [kind, file, suite] = process.argv.slice(2);
const text = fs.readFileSync(file, 'utf8');
let passed, failed, skipped, todo;
if (kind === 'jest') {
  const r = JSON.parse(text);
  // A suite that fails to load (a type error, say) counts as a failure with no failed test in it.
  [passed, failed, skipped, todo] = [r.numPassedTests, r.numFailedTests + r.numRuntimeErrorTestSuites + r.numFailedTestSuites, r.numPendingTests, r.numTodoTests];
} else if (kind === 'tap') {
  const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(text)?.[1] ?? NaN);
  [passed, failed, skipped, todo] = [count('pass'), count('fail') + count('cancelled'), count('skipped'), count('todo')];
} else if (kind === 'junit') {
  const attr = (name) => Number(new RegExp(`<testsuite[^>]* ${name}="(\\d+)"`).exec(text)?.[1] ?? NaN);
  const total = attr('tests');
  [failed, skipped, todo] = [attr('failures') + attr('errors'), attr('skipped'), 0];
  passed = total - failed - skipped;
} else {
  throw new Error(`unknown report kind ${kind}`);
}
console.log(`${suite}: ${passed} passed, ${failed} failed, ${skipped + todo} skipped`);
if (!(passed > 0)) {
  console.error(`${suite}: no test ran`);
  process.exit(1);
}
if (failed > 0) process.exit(1);
if (skipped + todo > 0) {
  console.error(`${suite}: ${skipped + todo} test(s) skipped or todo; every test must run`);
  process.exit(1);
}
