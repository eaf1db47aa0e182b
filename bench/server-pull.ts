import type { Benchmark } from './harness.ts';

export const benchmarks: Benchmark[] = [];
