// Ends the browser tests' output with one plain line, "N passed, N failed"
// (", N skipped" where any were), after Playwright's own list.
export default class SummaryReporter {
  constructor() {
    this.counts = { passed: 0, failed: 0, skipped: 0 };
  }
  onTestEnd(test, result) {
    // Count each test once, by its final outcome.
    if (result.retry < test.retries && result.status !== 'passed' && result.status !== 'skipped') return;
    if (result.status === 'skipped') this.counts.skipped++;
    else if (result.status === test.expectedStatus) this.counts.passed++;
    else this.counts.failed++;
  }
  onEnd() {
    const { passed, failed, skipped } = this.counts;
    console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`);
  }
  printsToStdio() {
    return true;
  }
}
