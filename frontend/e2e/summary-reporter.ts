// Prints the closing line CI reads: `N passed, N failed` (and skipped when any).
import type { Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class SummaryReporter implements Reporter {
  private passed = 0;
  private failed = 0;
  private skipped = 0;

  onTestEnd(_test: TestCase, result: TestResult) {
    if (result.status === 'passed') this.passed++;
    else if (result.status === 'skipped') this.skipped++;
    else this.failed++;
  }

  onEnd() {
    const skipped = this.skipped ? `, ${this.skipped} skipped` : '';
    process.stdout.write(`\nbrowser tests: ${this.passed} passed, ${this.failed} failed${skipped}\n`);
  }
}
