import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Doc, orgDbName, privateDbName, subgroupDbName } from '../src/db/store.ts';
import { call, createFixture, login, ORG_ID, startServer, type TestServer } from './helpers.ts';

/**
 * EN4 on data the old rule left behind: two cards of one child in one subgroup. The fixture's
 * learners study in subgroup A from 1 September under applications created at 0.
 */

let server: TestServer;
let admin: string;

const learner = (id: string, lastName: string) => ({
  id,
  type: 'learner',
  orgId: ORG_ID,
  parentUserId: 'parent',
  lastName,
  firstName: 'Тест',
  middleName: '',
  birthDate: '2016-05-05',
  createdAt: 0,
});

const card = (id: string, learnerId: string, statuses: string[]) => ({
  id,
  type: 'application',
  orgId: ORG_ID,
  subgroupId: 'sg-a',
  learnerId,
  parentUserId: 'parent',
  status: statuses.at(-1),
  history: statuses.map((status) => ({
    status,
    at: 1000,
    by: 'admin',
    date: status === 'обучается' ? '2026-09-01' : null,
    comment: '',
  })),
  createdAt: 1000,
});

beforeAll(async () => {
  server = await startServer();
  await createFixture(server.store);
  await server.store.putMany(privateDbName(ORG_ID), [
    learner('learner-kid', 'Смирнов'),
    learner('learner-other', 'Орлова'),
  ] as Doc[]);
  await server.store.putMany(orgDbName(ORG_ID), [
    // A duplicate «обучается» card of learner-kid, newer than app-kid.
    card('app-kid-again', 'learner-kid', ['новая', 'обучается']),
    // A newer card of learner-other that never enrolled.
    card('app-other-again', 'learner-other', ['новая', 'отклонена']),
  ] as Doc[]);
  admin = (await login(server.url, 'admin')).accessToken;
});
afterAll(() => server.stop());

const setStatus = (id: string, body: Record<string, unknown>) =>
  call(server.url, 'POST', `/api/admin/applications/${id}/status`, { token: admin, body });

async function intervals(learnerId: string) {
  const id = `roster:sg-a:${learnerId}`;
  const stored = (await server.store.getMany(subgroupDbName('sg-a'), [id])).get(id);
  return (stored?.doc as { intervals: unknown[] } | undefined)?.intervals;
}

describe('the card that holds an enrolment (EN4)', () => {
  it('[EN4] an older duplicate «обучается» card may leave it, as a status only', async () => {
    const moved = await setStatus('app-kid', { status: 'обучается', date: '2026-10-01' });
    expect(moved.status).toBe(409);
    expect((await intervals('learner-kid')) ?? []).toEqual([{ from: '2026-09-01', to: null }]);

    const closed = await setStatus('app-kid', {
      status: 'завершила обучение',
      date: '2026-12-20',
      comment: 'Дубликат',
    });
    expect(closed.status).toBe(200);
    expect(await intervals('learner-kid')).toEqual([{ from: '2026-09-01', to: null }]);
  });

  it('[EN4] a newer card that never enrolled takes nothing over from the one that did', async () => {
    const withdrawn = await setStatus('app-other', { status: 'отчислен', date: '2027-01-15' });
    expect(withdrawn.status).toBe(200);
    expect(await intervals('learner-other')).toEqual([{ from: '2026-09-01', to: '2027-01-14' }]);
  });
});
