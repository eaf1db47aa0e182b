import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FlakyDatabase, startServerBehindFlakyDatabase } from './flaky-database.ts';
import { call, holdsValue, login, type TestServer } from './helpers.ts';

/**
 * What the server log keeps of a failed database request. nano's error carries the request it
 * sent, body included; a registry entry written while the database answers 503 (a cluster
 * node restarting) put the teacher's passport and СНИЛС into the log line of the 5xx.
 */

const TEACHER_INPUT = {
  lastName: 'Соловьёва',
  firstName: 'Инна',
  middleName: 'Петровна',
  birthDate: '1979-02-23',
  passport: {
    series: '5311',
    number: '407219',
    issuedBy: 'УМВД России по Оренбургской области',
    issuedOn: '2001-03-15',
  },
  // 112-233-445 95 is the checksum example of DOMAIN.md (S = 95).
  snils: '112-233-445 95',
  experienceTotalYears: 20,
  experienceTeachingYears: 12,
  category: 'first',
  qualification: '',
};

const PERSONAL_VALUES = ['1979-02-23', '407219', '5311', '11223344595', '2001-03-15'];

describe('log: a failed database request', () => {
  let stop: () => Promise<void>;
  let database: FlakyDatabase;
  let server: TestServer;

  beforeAll(async () => {
    ({ database, server, stop } = await startServerBehindFlakyDatabase());
  });
  afterAll(() => stop());

  it('[SC1] a registry write the database refuses logs the request’s method and path, never its body', async () => {
    const { accessToken } = await login(server.url, 'admin');
    database.failPath(/^\/otm_private_org-test\/_bulk_docs/);

    const res = await call(server.url, 'POST', '/api/admin/teachers', {
      token: accessToken,
      body: TEACHER_INPUT,
    });
    expect(res.status).toBe(503);

    const failed = server
      .log()
      .split('\n')
      .filter((line) => line.includes('"request failed"'));
    expect(failed).toHaveLength(1);
    // The line still says where it failed.
    expect(failed[0]).toContain('/otm_private_org-test/_bulk_docs');
    for (const value of PERSONAL_VALUES) expect(holdsValue(server.log(), value)).toBe(false);
    expect(server.log()).not.toMatch(/passport|snils|birthDate/);
  });
});
