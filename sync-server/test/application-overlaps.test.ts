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

/** A new child of the parent, applied to sg-a and enrolled there from `from`. */
async function childInSgA(
  env: { server: TestServer; parent: string; admin: string },
  from: string,
  firstName: string,
): Promise<{ learnerId: string; applicationId: string }> {
  // Each call a child of its own: the same name and birth date again is the same child (AP14).
  const child = await call(env.server.url, 'POST', '/api/parent/children', {
    token: env.parent,
    body: { lastName: 'Тестов', firstName, middleName: '', birthDate: '2016-03-01' },
  });
  const learnerId = (child.body as { id: string }).id;
  const applied = await call(env.server.url, 'POST', '/api/parent/applications', {
    token: env.parent,
    body: { learnerId, subgroupId: 'sg-a' },
  });
  const applicationId = (applied.body as View).id;
  await setStatus(env, applicationId, 'обучается', from);
  return { learnerId, applicationId };
}

async function setStatus(
  env: { server: TestServer; admin: string },
  id: string,
  status: string,
  date: string,
) {
  const res = await call(env.server.url, 'POST', `/api/admin/applications/${id}/status`, {
    token: env.admin,
    body: { status, date, comment: '' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

async function applyToSgB(env: { server: TestServer; parent: string }, learnerId: string) {
  const res = await call(env.server.url, 'POST', '/api/parent/applications', {
    token: env.parent,
    body: { learnerId, subgroupId: 'sg-b' },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as View;
}

async function parentView(env: { server: TestServer; parent: string }, id: string) {
  const mine = await call(env.server.url, 'GET', '/api/parent/applications', {
    token: env.parent,
  });
  return (mine.body as { applications: View[] }).applications.find((a) => a.id === id)!;
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

  it('[EN7] only the days the child is enrolled there count: from a later enrolment, up to a withdrawal ahead', async () => {
    const env = await setUp();
    try {
      // Enrolled in sg-a from Monday 1 February 2027: sg-b clashes from then on only.
      const late = await childInSgA(env, '2027-02-01', 'Антон');
      const fromFebruary = (await applyToSgB(env, late.learnerId)).overlaps!;
      expect(fromFebruary[0]).toMatchObject({ subgroupId: 'sg-a', date: '2027-02-01' });

      // Enrolled from 1 October, withdrawn from 20 October (told on 1 October): the Mondays and
      // Wednesdays 5, 7, 12, 14 and 19 October still clash.
      const leaving = await childInSgA(env, '2026-10-01', 'Борис');
      const view = await applyToSgB(env, leaving.learnerId);
      expect(view.overlaps![0]!.count).toBeGreaterThan(50);
      await setStatus(env, leaving.applicationId, 'отчислен', '2026-10-20');
      expect((await parentView(env, view.id)).overlaps).toEqual([
        expect.objectContaining({ subgroupId: 'sg-a', date: '2026-10-05', count: 5 }),
      ]);
    } finally {
      await env.server.stop();
    }
  });
});
