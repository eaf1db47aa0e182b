import diagnostics from 'node:diagnostics_channel';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditDbName, subgroupDbName } from '../src/db/store.ts';
import { addDays, defaultCalendar, isoWeekday } from '../src/shared.ts';
import {
  call,
  createFixture,
  holdsValue,
  lessonDoc,
  login,
  markDoc,
  ORG_ID,
  PERSONAL,
  type PullPage,
  pullAll,
  pullOnce,
  pushRows,
  startServer,
  type TestServer,
} from './helpers.ts';

/** Every Monday and Wednesday of the study year (the fixture's schedule), holidays aside. */
function lessonDates(from: string, count: number): string[] {
  const calendar = defaultCalendar();
  const out: string[] = [];
  for (let d = from; out.length < count; d = addDays(d, 1)) {
    if ((isoWeekday(d) === 1 || isoWeekday(d) === 3) && !calendar.isNonWorking(d)) out.push(d);
  }
  return out;
}

describe('pull', () => {
  let server: TestServer;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    server = await startServer();
    await createFixture(server.store);
    for (const [key, name] of [
      ['a', 'teacher-a-user'],
      ['b', 'teacher-b-user'],
      ['parent', 'parent'],
      ['other', 'other-parent'],
      ['admin', 'admin'],
    ]) {
      tokens[key!] = (await login(server.url, name!)).accessToken;
    }
    // Journal data in both subgroups, written through the API.
    const datesA = lessonDates('2026-09-02', 20);
    const lessonsA = datesA.map((d) => lessonDoc('sg-a', d));
    const marksA = datesA.flatMap((d) => [
      markDoc('sg-a', d, 'learner-kid', 'Н'),
      markDoc('sg-a', d, 'learner-other', ''),
    ]);
    await call(server.url, 'POST', '/api/sync/lessons/push', {
      token: tokens.a,
      body: pushRows(lessonsA),
    });
    await call(server.url, 'POST', '/api/sync/marks/push', {
      token: tokens.a,
      body: pushRows(marksA),
    });
    const lessonB = lessonDoc('sg-b', '2026-09-02', 1000, { homework: 'только для Б' });
    await call(server.url, 'POST', '/api/sync/lessons/push', {
      token: tokens.b,
      body: pushRows([lessonB]),
    });
    await call(server.url, 'POST', '/api/sync/marks/push', {
      token: tokens.b,
      body: pushRows([markDoc('sg-b', '2026-09-02', 'learner-kid-b', 'Б')]),
    });
  });
  afterAll(() => server.stop());

  it('[PR1] teacher A pulls the lessons and marks of their subgroup only', async () => {
    const lessons = await pullAll(server.url, tokens.a!, 'lessons');
    expect(lessons.docs.size).toBe(20);
    expect([...lessons.docs.values()].every((d) => d.subgroupId === 'sg-a')).toBe(true);
    const marks = await pullAll(server.url, tokens.a!, 'marks');
    expect(marks.docs.size).toBe(40);
    expect(Object.keys(marks.checkpoint!.seqs)).toEqual(['sg-a']);
  });

  it('teacher A’s catalog has their subgroup, programme, schedule and co-teacher profiles only', async () => {
    const { docs } = await pullAll(server.url, tokens.a!, 'catalog');
    const ids = [...docs.keys()].sort();
    expect(ids).toEqual(['org-test', 'prog-robots', 'schedule:sg-a', 'sg-a', 'teacher-a'].sort());
  });

  it('[SC2] a parent’s pull, push and stream are refused: the diary is the parent’s view of the journal', async () => {
    // What a journal document holds beyond the diary: the reason of a cancellation (about the
    // teacher) and a remark that names another child.
    const cancelled = lessonDoc('sg-a', '2026-09-02', 2000, {
      status: 'cancelled',
      statusReason: 'Болезнь педагога',
      remark: 'Орлова Вера сорвала занятие',
    });
    const written = await call(server.url, 'POST', '/api/sync/lessons/push', {
      token: tokens.a,
      body: pushRows([cancelled]),
    });
    expect((written.body as { refused: unknown[] }).refused).toEqual([]);

    for (const token of [tokens.parent, tokens.other]) {
      for (const c of ['catalog', 'lessons', 'topics', 'roster', 'marks']) {
        const pulled = await call(server.url, 'GET', `/api/sync/${c}/pull?limit=1000`, { token });
        expect(pulled.status, c).toBe(403);
        expect((pulled.body as { error: { code: string } }).error.code).toBe('FORBIDDEN');
        expect(JSON.stringify(pulled.body)).not.toMatch(/Болезнь|Орлова/);
      }
      // Only the status: an open stream never ends.
      const stream = await fetch(`${server.url}/api/sync/stream`, {
        headers: { authorization: `Bearer ${token}` },
      });
      await stream.body?.cancel();
      expect(stream.status).toBe(403);
    }

    // A parent's push is refused before its rows are read: nothing reaches the admin's list of
    // refused edits (a self-registered account could otherwise fill the audit database).
    const before = await server.store.find(auditDbName(ORG_ID), { type: 'refusal' });
    const pushed = await call(server.url, 'POST', '/api/sync/marks/push', {
      token: tokens.parent,
      body: pushRows([markDoc('sg-a', '2026-09-07', 'learner-kid', '')]),
    });
    expect(pushed.status).toBe(403);
    expect(await server.store.find(auditDbName(ORG_ID), { type: 'refusal' })).toEqual(before);
  });

  it('an admin pulls the whole organisation', async () => {
    const lessons = await pullAll(server.url, tokens.admin!, 'lessons');
    expect(lessons.docs.size).toBe(21);
  });

  it('no personal-data field or value appears in any sync response or in the log', async () => {
    const texts: string[] = [];
    for (const token of [tokens.a!, tokens.b!, tokens.admin!]) {
      for (const c of ['catalog', 'lessons', 'topics', 'roster', 'marks']) {
        texts.push(JSON.stringify([...(await pullAll(server.url, token, c)).docs.values()]));
      }
    }
    const everything = `${texts.join('\n')}\n${server.log()}`;
    for (const field of ['birthDate', 'passport', 'snils']) expect(everything).not.toContain(field);
    for (const value of Object.values(PERSONAL)) expect(holdsValue(everything, value)).toBe(false);
    // The check finds each value where it would leak (a JSON value, a log message's text).
    for (const value of Object.values(PERSONAL)) {
      expect(holdsValue(JSON.stringify({ leaked: value }), value)).toBe(true);
      expect(holdsValue(`паспорт ${value}, выдан`, value)).toBe(true);
    }
    expect(server.log()).not.toMatch(/Bearer [\w-]+\./);
  });

  it('a field a journal document should not hold never leaves the server', async () => {
    const db = subgroupDbName('sg-a');
    const [stored] = await server.store.listByType(db, 'lesson');
    await server.store.put(db, { ...stored!, snils: PERSONAL.snils, note$: 'внутреннее' });

    const { docs } = await pullAll(server.url, tokens.a!, 'lessons');
    const pulled = docs.get(stored!.id)!;
    expect(pulled).toMatchObject({ id: stored!.id, date: stored!.date });
    expect(Object.keys(pulled)).not.toContain('snils');
    expect(Object.keys(pulled)).not.toContain('note$');
    await server.store.put(db, stored!);
  });

  it('pages return full batches until the last one, and the checkpoint resumes exactly', async () => {
    const { docs, sizes } = await pullAll(server.url, tokens.a!, 'marks', 7);
    expect(docs.size).toBe(40);
    expect(sizes.slice(0, -1).every((n) => n === 7)).toBe(true);
    expect(sizes.at(-1)).toBeLessThan(7);
  });

  it('a full batch is filled across sources (several subgroups)', async () => {
    const first = await pullOnce(server.url, tokens.admin!, 'marks', undefined, 41);
    expect(first.documents).toHaveLength(41);
    // sg-a is done; the page ended inside sg-b's snapshot, right after its first mark.
    expect(Object.keys(first.checkpoint.seqs)).toEqual(['sg-a']);
    expect(first.checkpoint.snapshot).toMatchObject({ source: 'sg-b' });
    expect(first.checkpoint.snapshot!.after).toBe(first.documents.at(-1)!.id);
  });

  it('a first pass reads only its own kind as a snapshot, then continues by changes', async () => {
    const { docs, checkpoint } = await pullAll(server.url, tokens.a!, 'lessons', 5);
    expect([...docs.values()].every((d) => d.type === 'lesson')).toBe(true);
    expect(checkpoint!.snapshot).toBeNull();
    expect(Object.keys(checkpoint!.seqs)).toEqual(['sg-a']);

    const stored = await server.store.listByType(subgroupDbName('sg-a'), 'lesson');
    expect(docs.size).toBe(stored.length);
    const again = await pullOnce(server.url, tokens.a!, 'lessons', checkpoint, 5);
    expect(again.documents).toHaveLength(0);
  });

  it('a first pass ends when checkpoints are merged key by key, as RxDB stacks them', async () => {
    let checkpoint: PullPage['checkpoint'] | undefined;
    const seen = new Set<string>();
    for (let page = 0; page < 100; page++) {
      const res = await pullOnce(server.url, tokens.a!, 'marks', checkpoint, 4);
      for (const d of res.documents) seen.add(d.id as string);
      checkpoint = Object.assign({}, checkpoint, res.checkpoint);
      if (res.documents.length === 0) break;
    }
    expect(checkpoint!.snapshot).toBeNull();
    const stored = await server.store.listByType(subgroupDbName('sg-a'), 'mark');
    expect(seen.size).toBe(stored.length);
  });

  it('a first pass misses nothing while writes race with its snapshot pages', async () => {
    const seen = new Map<string, Record<string, unknown>>();
    let checkpoint: PullPage['checkpoint'] | undefined;
    const dates = lessonDates('2027-02-01', 6);
    const byId = (await server.store.listByType(subgroupDbName('sg-a'), 'mark')).sort((x, y) =>
      x.id < y.id ? -1 : 1,
    );
    let at = 90_000;

    for (let round = 0; round < 6; round++) {
      const page = await pullOnce(server.url, tokens.a!, 'marks', checkpoint, 3);
      for (const d of page.documents) seen.set(d.id as string, d);
      checkpoint = page.checkpoint;

      // Behind the cursor (an edit of a delivered mark), ahead of it, and a new lesson's mark.
      const delivered = [...seen.values()][0]!;
      const ahead = byId[byId.length - 1 - round]!;
      const edits = [
        markDoc('sg-a', delivered.date as string, delivered.learnerId as string, 'Б', at++),
        markDoc('sg-a', ahead.date as string, ahead.learnerId as string, 'Н', at++),
        markDoc('sg-a', dates[round]!, 'learner-kid', 'УП', at++),
      ];
      await call(server.url, 'POST', '/api/sync/lessons/push', {
        token: tokens.a,
        body: pushRows([lessonDoc('sg-a', dates[round]!)]),
      });
      const res = await call(server.url, 'POST', '/api/sync/marks/push', {
        token: tokens.a,
        body: pushRows(edits),
      });
      expect(res.status).toBe(200);
    }
    const rest = await pullAll(server.url, tokens.a!, 'marks', 4, checkpoint);
    for (const [id, d] of rest.docs) seen.set(id, d);

    const storedMarks = await server.store.listByType(subgroupDbName('sg-a'), 'mark');
    expect(seen.size).toBe(storedMarks.length);
    for (const m of storedMarks) expect(seen.get(m.id)).toMatchObject({ code: m.code });
  });

  it('a pull misses nothing while writes race with its paging', async () => {
    const before = await pullAll(server.url, tokens.a!, 'marks');
    let checkpoint = before.checkpoint;
    const seen = new Map(before.docs);
    const dates = lessonDates('2026-12-02', 10);
    let at = 50_000;

    // Each round writes (new marks and edits of old ones), then pulls one small page.
    for (let round = 0; round < 10; round++) {
      const date = dates[round]!;
      const rows = [lessonDoc('sg-a', date), markDoc('sg-a', date, 'learner-kid', 'Б', at++)];
      const edit = [...before.docs.values()][round]!;
      const edited = markDoc('sg-a', edit.date as string, edit.learnerId as string, 'УП', at++);
      await call(server.url, 'POST', '/api/sync/lessons/push', {
        token: tokens.a,
        body: pushRows([rows[0]!]),
      });
      await call(server.url, 'POST', '/api/sync/marks/push', {
        token: tokens.a,
        body: pushRows([rows[1]!, edited]),
      });

      const page = await pullOnce(server.url, tokens.a!, 'marks', checkpoint, 1);
      for (const d of page.documents) seen.set(d.id as string, d);
      checkpoint = page.checkpoint;
    }
    const rest = await pullAll(server.url, tokens.a!, 'marks', 3, checkpoint);
    for (const [id, d] of rest.docs) seen.set(id, d);

    const storedMarks = await server.store.listByType(subgroupDbName('sg-a'), 'mark');
    expect(seen.size).toBe(storedMarks.length);
    for (const m of storedMarks) expect(seen.get(m.id)).toMatchObject({ code: m.code });
  });

  it('[PR1] teacher B never receives subgroup A data, even with a checkpoint naming it', async () => {
    const forged = { v: 1 as const, seqs: { 'sg-a': '0' } };
    const { docs } = await pullAll(server.url, tokens.b!, 'lessons', 1000, forged);
    expect([...docs.values()].every((d) => d.subgroupId === 'sg-b')).toBe(true);
    expect(JSON.stringify([...docs.values()])).toContain('только для Б');
  });

  it('[SP1] a first pass reads a finished source’s changes once, at its end, and still delivers a write made there meanwhile', async () => {
    // Teacher B's subgroup gets a dozen marks, so the admin's pass spends several pages in it.
    const datesB = lessonDates('2026-09-07', 12);
    await call(server.url, 'POST', '/api/sync/lessons/push', {
      token: tokens.b,
      body: pushRows(datesB.map((d) => lessonDoc('sg-b', d))),
    });
    await call(server.url, 'POST', '/api/sync/marks/push', {
      token: tokens.b,
      body: pushRows(datesB.map((d) => markDoc('sg-b', d, 'learner-kid-b', 'Н'))),
    });
    const marksA = await server.store.listByType(subgroupDbName('sg-a'), 'mark');
    const changesOfA = `/${subgroupDbName('sg-a')}/_changes`;
    let readsOfA = 0;
    const count = (message: unknown) => {
      const { request } = message as { request: { path: string } };
      if (request.path.startsWith(changesOfA)) readsOfA++;
    };

    const first = await pullOnce(server.url, tokens.admin!, 'marks', undefined, marksA.length + 1);
    expect(Object.keys(first.checkpoint.seqs)).toEqual(['sg-a']);
    // Written in the finished source while the pass goes on in the next one.
    const late = markDoc('sg-a', lessonDates('2027-03-01', 1)[0]!, 'learner-kid', 'Б', 95_000);
    await call(server.url, 'POST', '/api/sync/lessons/push', {
      token: tokens.a,
      body: pushRows([lessonDoc('sg-a', late.date as string)]),
    });
    await call(server.url, 'POST', '/api/sync/marks/push', {
      token: tokens.a,
      body: pushRows([late]),
    });

    diagnostics.subscribe('undici:request:create', count);
    const rest = await pullAll(server.url, tokens.admin!, 'marks', 4, first.checkpoint);
    diagnostics.unsubscribe('undici:request:create', count);

    expect(rest.sizes.length).toBeGreaterThan(3);
    expect(rest.docs.get(late.id as string)).toMatchObject({ code: 'Б' });
    expect(readsOfA).toBe(1);
  });
});
