import type { Application, Subgroup } from '@otmetka/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { journal } from '../src/admin/data.ts';
import { orgDbName } from '../src/db/store.ts';
import { MAX_OPEN_APPLICATIONS_PER_CHILD } from '../src/parent/index.ts';
import {
  call,
  createFixture,
  login,
  ORG_ID,
  startServer,
  storeOpenApplications,
  type TestServer,
} from './helpers.ts';

/**
 * Requests sent at once, as two admins (or two tabs) on enrolment day and a parent's form sent
 * again on a weak signal send them: the rules each request checks hold for all of them together.
 * The fixture's sg-a has three learners on its roster and studies from 01.09.2026.
 */

let server: TestServer;
let admin: string;
let parent: string;
const clock = Date.parse('2026-10-01T11:00:00+05:00');

beforeAll(async () => {
  server = await startServer({ config: { now: () => clock } });
  await createFixture(server.store);
  admin = (await login(server.url, 'admin')).accessToken;
  parent = (await login(server.url, 'parent')).accessToken;
});
afterAll(() => server.stop());

const addChild = (firstName: string, birthDate = '2016-05-05', lastName = 'Ёлкина') =>
  call(server.url, 'POST', '/api/parent/children', {
    token: parent,
    body: { lastName, firstName, middleName: '', birthDate },
  });

const apply = (learnerId: string, subgroupId: string) =>
  call(server.url, 'POST', '/api/parent/applications', {
    token: parent,
    body: { learnerId, subgroupId },
  });

const enrol = (applicationId: string, date: string) =>
  call(server.url, 'POST', `/api/admin/applications/${applicationId}/status`, {
    token: admin,
    body: { status: 'обучается', date, comment: '' },
  });

const idOf = (res: { body: unknown }) => (res.body as { id: string }).id;
const codeOf = (res: { body: unknown }) => (res.body as { error?: { code: string } }).error?.code;

async function applicationsOf(learnerId: string): Promise<Application[]> {
  return server.store.find<Application & { id: string }>(orgDbName(ORG_ID), {
    type: 'application',
    learnerId,
  });
}

describe('requests at once', () => {
  it('[AP13] four enrolments at once into the last free place: one is taken, three are refused', async () => {
    const subgroup = await server.store.get<Subgroup & { id: string }>(orgDbName(ORG_ID), 'sg-a');
    await server.store.put(orgDbName(ORG_ID), { ...subgroup!, capacity: 4 });
    const applications: string[] = [];
    for (const name of ['Аня', 'Боря', 'Варя', 'Гоша']) {
      const child = await addChild(name);
      expect(child.status).toBe(201);
      const applied = await apply(idOf(child), 'sg-a');
      expect(applied.status, JSON.stringify(applied.body)).toBe(201);
      applications.push(idOf(applied));
    }

    const answers = await Promise.all(applications.map((id) => enrol(id, '2026-10-05')));

    expect(answers.map((a) => a.status).sort()).toEqual([200, 409, 409, 409]);
    expect(answers.filter((a) => a.status === 409).map(codeOf)).toEqual(
      Array(3).fill('CAPACITY_EXCEEDED'),
    );
    const roster = (await journal(server.store, 'sg-a').roster()).filter((e) => !e._deleted);
    expect(roster).toHaveLength(4);
  });

  it('[AP13][AP7] one status change sent three times at once is one line of the history', async () => {
    const child = await addChild('Дима');
    const applied = await apply(idOf(child), 'sg-b');
    const id = idOf(applied);
    const confirm = () =>
      call(server.url, 'POST', `/api/admin/applications/${id}/status`, {
        token: admin,
        body: { status: 'подтверждена', date: null, comment: 'ждём справку' },
      });

    const answers = await Promise.all([confirm(), confirm(), confirm()]);

    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    const [stored] = await applicationsOf(idOf(child));
    expect(stored!.history.map((h) => h.status)).toEqual(['новая', 'подтверждена']);
  });

  it('[AP13][AP3] a parent’s application sent three times at once is stored once', async () => {
    const child = await addChild('Ева');

    const answers = await Promise.all([1, 2, 3].map(() => apply(idOf(child), 'sg-b')));

    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
    expect(answers.filter((a) => a.status === 409).map(codeOf)).toEqual(['CONFLICT', 'CONFLICT']);
    expect(await applicationsOf(idOf(child))).toHaveLength(1);
  });

  it('[AP13][AP5] applications of one child to two subgroups at once: the tenth open one is the last', async () => {
    const child = idOf(await addChild('Ирина'));
    await storeOpenApplications(
      server.store,
      child,
      'elsewhere',
      MAX_OPEN_APPLICATIONS_PER_CHILD - 1,
    );

    const answers = await Promise.all([apply(child, 'sg-a'), apply(child, 'sg-b')]);

    expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
    expect(await applicationsOf(child)).toHaveLength(MAX_OPEN_APPLICATIONS_PER_CHILD);
  });

  it('[AP14] a child sent again (a lost answer, a double tap, another case or ё) is the same child', async () => {
    const count = async () => {
      const res = await call(server.url, 'GET', '/api/parent/children', { token: parent });
      return (res.body as { children: unknown[] }).children.length;
    };
    const before = await count();
    const first = await addChild('Жанна');
    const again = await addChild('Жанна');
    const retyped = await addChild(' жанна ', '2016-05-05', 'ЕЛКИНА');
    const atOnce = await Promise.all([1, 2, 3].map(() => addChild('Зоя')));

    expect(first.status).toBe(201);
    expect(idOf(again)).toBe(idOf(first));
    expect(idOf(retyped)).toBe(idOf(first));
    expect(new Set(atOnce.map(idOf)).size).toBe(1);
    expect(await count()).toBe(before + 2);

    // Another birth date is another child (twins share one, and differ by name).
    const other = await addChild('Жанна', '2017-05-05');
    expect(other.status).toBe(201);
    expect(idOf(other)).not.toBe(idOf(first));
  });
});
