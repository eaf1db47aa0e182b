// Prints the plain closing line of a test run from vitest's JSON report: "N passed, N failed".
import { readFileSync } from 'node:fs';

const report = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const skipped = report.numPendingTests + report.numTodoTests;
const tail = skipped ? `, ${skipped} skipped` : '';
console.info(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed${tail}`);
