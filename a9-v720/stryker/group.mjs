/**
 * Shared StrykerJS settings: one mutation run per module group, each running only that group's
 * unit tests (see README "Mutation testing"). A developer tool, not part of `npm test`.
 */

/**
 * @param {string} name  report name (reports/mutation/<name>.html)
 * @param {string[]} mutate  source files whose mutants are scored
 * @param {string[]} testFiles  the unit tests that may kill them
 * @returns {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export function mutationGroup(name, mutate, testFiles) {
  return {
    plugins: ['@stryker-mutator/tap-runner'],
    testRunner: 'tap',
    tap: {
      testFiles,
      // Each test file runs alone in `node`, node:test printing TAP; tsx strips the types of the
      // instrumented sources, Stryker's hook records which file covers which mutant.
      nodeArgs: ['--import', 'tsx', '--test-reporter=tap', '-r', '{{hookFile}}', '{{testFile}}'],
      forceBail: true,
    },
    // Per test file: a mutant only reruns the files that reach it.
    coverageAnalysis: 'perTest',
    mutate,
    // Shared 2-core machine: one mutant at a time unless overridden with --concurrency.
    concurrency: 1,
    timeoutMS: 4000,
    timeoutFactor: 1.5,
    ignorePatterns: ['test-artifacts', '.data', 'dist', 'reports'],
    tempDirName: '.stryker-tmp',
    cleanTempDir: true,
    reporters: ['clear-text', 'progress', 'html', 'json'],
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    clearTextReporter: { allowColor: false, logTests: false, reportScoreTable: true, reportMutants: true },
    thresholds: { high: 90, low: 80, break: null },
  };
}
