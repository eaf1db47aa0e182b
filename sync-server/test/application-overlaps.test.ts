import { describe, expect, it } from 'vitest';
import { orgDbName } from '../src/db/store.ts';
import {
  call,
  createFixture,
  fixtureSchedule,
  login,
  startServer,
  type TestServer,
} from './helpers.ts';

/**
 * EN7 against the real server: a parent's child studies in sg-a (Mondays and Wednesdays
 * 15:00–16:30, enrolled by the admin); sg-b meets at the same hours. The server's clock is
 * Thursday 1 October 2026.
 */

interface Overlap {
  subgroupId: string;
  date: string;
  start: string;
  end: string;
  otherStart: string;
  otherEnd: string;
  count: number;
}
type View = { id: string; subgroupId: string; overlaps?: Overlap[] };

async function setUp(): Promise<{ server: TestServer; parent: string; admin: string }> {
  const server = await startServer({
    config: { now: () => Date.parse('2026-10-01T11:00:00+05:00') },
  });
  await createFixture(server.store);
  const parent = (await login(server.url, 'parent')).accessToken;
  const admin = (await login(server.url, 'admin')).accessToken;
  return { server, parent, admin };
}

describe('applications to groups that meet at the same time', () => {
  it('[EN7] an application overlapping the child’s group names it, to the parent and to the admin', async () => {
    const { server, parent, admin } = await setUp();
    try {
      const child = await call(server.url, 'POST', '/api/parent/children', {
        token: parent,
        body: { lastName: 'Тестов', firstName: 'Тест', middleName: '', birthDate: '2016-03-01' },
      });
      const learnerId = (child.body as { id: string }).id;
      const first = await call(server.url, 'POST', '/api/parent/applications', {
        token: parent,
        body: { learnerId, subgroupId: 'sg-a' },
      });
      expect((first.body as View).overlaps).toBeUndefined();
      const enrolled = await call(
        server.url,
        'POST',
        `/api/admin/applications/${(first.body as View).id}/status`,
        { token: admin, body: { status: 'обучается', date: '2026-10-01', comment: '' } },
      );
      expect(enrolled.status, JSON.stringify(enrolled.body)).toBe(200);

      const applied = await call(server.url, 'POST', '/api/parent/applications', {
        token: parent,
        body: { learnerId, subgroupId: 'sg-b' },
      });
      expect(applied.status, JSON.stringify(applied.body)).toBe(201);
      const view = applied.body as View;
      expect(view.overlaps).toHaveLength(1);
      // From today on: Monday 5 October is the first lesson of both.
      expect(view.overlaps![0]).toMatchObject({
        subgroupId: 'sg-a',
        date: '2026-10-05',
        start: '15:00',
        end: '16:30',
        otherStart: '15:00',
        otherEnd: '16:30',
      });
      expect(view.overlaps![0]!.count).toBeGreaterThan(50);

      const listed = await call(server.url, 'GET', '/api/admin/applications', { token: admin });
      const card = (listed.body as { applications: View[] }).applications.find(
        (a) => a.id === view.id,
      );
      expect(card?.overlaps?.[0]).toMatchObject({ subgroupId: 'sg-a', date: '2026-10-05' });
      // The studying application names nothing: sg-b is not studied in yet.
      const studying = (listed.body as { applications: View[] }).applications.find(
        (a) => a.id === (first.body as View).id,
      );
      expect(studying?.overlaps).toBeUndefined();

      // sg-b moved to 16:30–18:00: lessons that only touch do not overlap.
      await server.store.update(orgDbName('org-test'), 'schedule:sg-b', () => {
        const schedule = fixtureSchedule('sg-b');
        schedule.rules[0] = { ...schedule.rules[0]!, start: '16:30', end: '18:00' };
        return schedule as never;
      });
      const mine = await call(server.url, 'GET', '/api/parent/applications', { token: parent });
      const moved = (mine.body as { applications: View[] }).applications.find(
        (a) => a.id === view.id,
      );
      expect(moved).toBeDefined();
      expect(moved!.overlaps).toBeUndefined();
    } finally {
      await server.stop();
    }
  });
});
