import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { orgDbName, subgroupDbName } from '../src/db/store.ts';
import {
  type Checkpoint,
  lockId,
  type Schedule,
  type Subgroup,
  scheduleId,
} from '../src/shared.ts';
import {
  call,
  createFixture,
  type Fixture,
  lessonDoc,
  login,
  markDoc,
  monthLock,
  ORG_ID,
  type PullPage,
  pullAll,
  pullOnce,
  pushRows,
  rosterEntry,
  startServer,
  type TestServer,
} from './helpers.ts';

/**
 * RM1/RM2 on the server: when the admin takes teacher A off a subgroup, A's next catalog pull
 * says so with content-free tombstones, A's journal pulls stop naming its source, and nothing
 * of the subgroup's content reaches A; teacher B, who keeps teaching it, sees no difference.
 */

const JOURNAL = ['lessons', 'topics', 'roster', 'marks'] as const;
const ALL = ['catalog', ...JOURNAL] as const;
type Name = (typeof ALL)[number];

/** What a device holds after pulling to the end: the checkpoint of each collection. */
type Checkpoints = Record<Name, Checkpoint>;

async function pullEverything(server: TestServer, token: string): Promise<Checkpoints> {
  const out = {} as Checkpoints;
  for (const name of ALL) out[name] = (await pullAll(server.url, token, name)).checkpoint!;
  return out;
}

const deleted = (page: PullPage) => page.documents.filter((d) => d._deleted === true);

describe('[RM1] a teacher taken off a subgroup', () => {
  let server: TestServer;
  let fixture: Fixture;
  const tokens: Record<string, string> = {};
  let beforeA: Checkpoints;
  let beforeB: Checkpoints;

  beforeAll(async () => {
    server = await startServer();
    fixture = await createFixture(server.store);
    for (const [key, name] of [
      ['a', 'teacher-a-user'],
      ['b', 'teacher-b-user'],
      ['admin', 'admin'],
    ] as const) {
      tokens[key] = (await login(server.url, name)).accessToken;
    }

    // Subgroup A is taught by A and B together; A also teaches subgroup C alone. Subgroup A has
    // a month lock, so its locks must leave A's device too.
    const subgroupC: Subgroup = {
      ...fixture.subgroupA,
      id: 'sg-c',
      name: 'Группа sg-c',
      teacherIds: ['teacher-a'],
    };
    const scheduleA = await server.store.get<Schedule & { id: string }>(
      orgDbName(ORG_ID),
      scheduleId('sg-a'),
    );
    const lock = monthLock('sg-a', '2027-05', 'Сверка табеля группы А');
    await server.store.ensureSubgroupDb('sg-c');
    await server.store.putMany(orgDbName(ORG_ID), [
      subgroupC,
      { ...scheduleA!, id: scheduleId('sg-c'), subgroupId: 'sg-c' },
      lock,
    ]);
    await server.store.putMany(subgroupDbName('sg-c'), [
      rosterEntry('sg-c', 'learner-c', 'Кузнецова Ева', '2026-09-01'),
    ]);
    const coTaught = await putSubgroup(['teacher-a', 'teacher-b']);
    expect(coTaught.status).toBe(200);

    await push(tokens.a!, 'lessons', [
      lessonDoc('sg-a', '2026-09-02', 1000, { homework: 'Домашнее задание группы А' }),
      lessonDoc('sg-c', '2026-09-02'),
    ]);
    await push(tokens.a!, 'marks', [
      { ...markDoc('sg-a', '2026-09-02', 'learner-kid', 'Н'), note: 'Заметка о ребёнке из А' },
      markDoc('sg-c', '2026-09-02', 'learner-c', ''),
    ]);

    beforeA = await pullEverything(server, tokens.a!);
    beforeB = await pullEverything(server, tokens.b!);
    expect(beforeA.marks.seqs).toHaveProperty('sg-a');
    expect(beforeA.catalog.scope).toMatchObject({
      subgroups: ['sg-a', 'sg-c'],
      programmes: ['prog-robots'],
      teachers: ['teacher-a', 'teacher-b'],
    });

    // The admin takes A off subgroup A, through the admin API.
    const removed = await putSubgroup(['teacher-b']);
    expect(removed.status).toBe(200);
  });
  afterAll(() => server.stop());

  function putSubgroup(teacherIds: string[]) {
    const { id: _id, type: _type, orgId: _org, ...input } = fixture.subgroupA;
    return call(server.url, 'PUT', '/api/admin/subgroups/sg-a', {
      token: tokens.admin,
      body: { ...input, teacherIds },
    });
  }

  async function push(token: string, collection: string, docs: Record<string, unknown>[]) {
    const res = await call(server.url, 'POST', `/api/sync/${collection}/push`, {
      token,
      body: pushRows(docs),
    });
    expect(res.status).toBe(200);
    expect((res.body as { refused: unknown[] }).refused).toEqual([]);
  }

  it('[RM1] A’s next catalog pull carries a content-free tombstone of the subgroup, its schedule and lock, and of the colleague no longer shared', async () => {
    const page = await pullOnce(server.url, tokens.a!, 'catalog', beforeA.catalog, 1000);

    const sorted = deleted(page).sort((x, y) => String(x.id).localeCompare(String(y.id)));
    expect(sorted).toEqual([
      { id: lockId('sg-a', '2027-05'), type: 'lock', _deleted: true },
      { id: scheduleId('sg-a'), type: 'schedule', _deleted: true },
      { id: 'sg-a', type: 'subgroup', _deleted: true },
      { id: 'teacher-b', type: 'teacher', _deleted: true },
    ]);
    // The programme is still A's through subgroup C, and so is subgroup C itself.
    const live = page.documents.filter((d) => !d._deleted);
    expect(live.map((d) => d.id)).toEqual(expect.arrayContaining(['sg-c', 'prog-robots']));
    expect(page.checkpoint.scope).toMatchObject({
      subgroups: ['sg-c'],
      programmes: ['prog-robots'],
      teachers: ['teacher-a'],
    });
  });

  it('[RM1] nothing of the subgroup’s content reaches A, and the tombstones come once', async () => {
    const first = await pullAll(server.url, tokens.a!, 'catalog', 1000, beforeA.catalog);
    const text = JSON.stringify([...first.docs.values()]);
    for (const secret of ['Группа sg-a', 'Сверка табеля группы А', 'Петров Б. Б.']) {
      expect(text).not.toContain(secret);
    }
    for (const doc of first.docs.values()) {
      if (doc.id === 'sg-a' || doc.subgroupId === 'sg-a' || String(doc.id).includes(':sg-a')) {
        expect(Object.keys(doc).sort()).toEqual(['_deleted', 'id', 'type']);
      }
    }

    const again = await pullAll(server.url, tokens.a!, 'catalog', 1000, first.checkpoint);
    expect([...again.docs.values()].filter((d) => d._deleted)).toEqual([]);
  });

  it('[RM2] A’s journal pulls stop naming the subgroup’s source and bring none of its documents', async () => {
    for (const name of JOURNAL) {
      const { docs, checkpoint } = await pullAll(server.url, tokens.a!, name, 1000, beforeA[name]);
      expect([...docs.values()].filter((d) => d.subgroupId === 'sg-a')).toEqual([]);
      expect(Object.keys(checkpoint!.seqs)).toEqual(['sg-c']);
    }
    const text = JSON.stringify(
      await Promise.all(JOURNAL.map((name) => pullAll(server.url, tokens.a!, name))),
      (_k, v) => (v instanceof Map ? [...v.values()] : v),
    );
    for (const secret of [
      'Домашнее задание группы А',
      'Заметка о ребёнке из А',
      'Смирнов Кирилл',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('Кузнецова Ева');
  });

  it('[RM1] teacher B, who keeps the subgroup, loses nothing of it and goes on with its journal', async () => {
    const catalog = await pullAll(server.url, tokens.b!, 'catalog', 1000, beforeB.catalog);
    // Only A's profile leaves B's device: A and B no longer share a subgroup.
    expect([...catalog.docs.values()].filter((d) => d._deleted)).toEqual([
      { id: 'teacher-a', type: 'teacher', _deleted: true },
    ]);
    expect(catalog.docs.get('sg-a')).toMatchObject({ teacherIds: ['teacher-b'] });
    expect(catalog.checkpoint!.scope).toMatchObject({
      subgroups: ['sg-a', 'sg-b'],
      programmes: ['prog-robots'],
      teachers: ['teacher-b'],
    });

    const byB = lessonDoc('sg-a', '2026-09-07', 2000, { homework: 'от Б' });
    for (const stamp of Object.values(byB.stamps)) stamp.by = 'teacher-b-user';
    await push(tokens.b!, 'lessons', [byB]);
    const lessons = await pullAll(server.url, tokens.b!, 'lessons', 1000, beforeB.lessons);
    expect(lessons.docs.get(lessonDoc('sg-a', '2026-09-07').id)).toMatchObject({
      homework: 'от Б',
    });
    expect(Object.keys(lessons.checkpoint!.seqs).sort()).toEqual(['sg-a', 'sg-b']);
  });

  it('[RM1] a first pull names nothing the caller never had', async () => {
    for (const token of [tokens.a!, tokens.b!]) {
      const { docs, checkpoint } = await pullAll(server.url, token, 'catalog');
      expect([...docs.values()].filter((d) => d._deleted)).toEqual([]);
      expect(checkpoint!.scope).toBeTruthy();
    }
  });

  it('[RM1] a checkpoint from before scopes existed gets a tombstone of every subgroup the caller does not see (no lock: SC10), once', async () => {
    const { scope: _scope, ...legacy } = beforeA.catalog;
    const first = await pullAll(server.url, tokens.a!, 'catalog', 1000, legacy);
    const gone = [...first.docs.values()].filter((d) => d._deleted).map((d) => d.id);
    expect(gone.sort()).toEqual(['sg-a', 'sg-b', scheduleId('sg-a'), scheduleId('sg-b')].sort());
    const again = await pullAll(server.url, tokens.a!, 'catalog', 1000, first.checkpoint);
    expect([...again.docs.values()].filter((d) => d._deleted)).toEqual([]);
  });

  it('[SC10] a scope the caller made up, or another account’s, names no lock of a subgroup the caller never had', async () => {
    // Subgroup C is A's alone; B never saw it. Its closed month must stay B's secret.
    const lockC = monthLock('sg-c', '2026-10', 'Сверка табеля группы C');
    await server.store.putMany(orgDbName(ORG_ID), [lockC]);
    const claimed = { ...beforeB.catalog.scope!, subgroups: ['sg-a', 'sg-b', 'sg-c'] };
    const { seal: _seal, ...unsealed } = claimed;
    const forgeries = [
      { ...beforeB.catalog, scope: claimed },
      { ...beforeB.catalog, scope: unsealed },
      // A's own sealed scope, which names sg-c, replayed by B.
      { ...beforeB.catalog, scope: beforeA.catalog.scope },
    ];

    for (const checkpoint of forgeries) {
      const page = await pullOnce(server.url, tokens.b!, 'catalog', checkpoint, 1000);
      const ids = deleted(page).map((d) => d.id);
      expect(ids).not.toContain(lockC.id);
      expect(JSON.stringify(page)).not.toContain('2026-10');
      expect(page.checkpoint.scope?.subgroups).toEqual(['sg-a', 'sg-b']);
    }
    // The seal B was given still works: B's own scope, taken at its word, names nothing new.
    const own = await pullOnce(server.url, tokens.b!, 'catalog', beforeB.catalog, 1000);
    expect(deleted(own).map((d) => d.id)).toEqual(['teacher-a']);
  });

  it('[RM1] an admin’s catalog carries no scope: the whole organisation, deletions as they are', async () => {
    const { checkpoint } = await pullAll(server.url, tokens.admin!, 'catalog');
    expect(checkpoint!.scope).toBeNull();
  });
});
