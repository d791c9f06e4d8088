/**
 * Prints one plain closing line from bun test's JUnit report ("tests: N passed, N failed, N skipped"),
 * and fails when no test ran at all.
 */
export {};

const report = await Bun.file(process.argv[2] ?? ".data/junit.xml").text();
const totals = report.match(/<testsuites[^>]*\btests="(\d+)"[^>]*\bfailures="(\d+)"[^>]*\bskipped="(\d+)"/);
if (!totals) {
  console.error("test-summary: no totals in the JUnit report");
  process.exit(1);
}
const [tests, failures, skipped] = totals.slice(1).map(Number) as [number, number, number];
console.log(`tests: ${tests - failures - skipped} passed, ${failures} failed, ${skipped} skipped`);
if (tests === 0 || failures > 0) process.exit(1);
