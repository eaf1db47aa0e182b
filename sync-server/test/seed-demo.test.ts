import {
  APPLICATION_STUDYING,
  applicationSchema,
  DEFAULT_APPLICATION_STATUSES,
  defaultCalendar,
  isEnrolledOn,
  learnerSchema,
  lessonSchema,
  markSchema,
  programmeSchema,
  type RosterEntry,
  readXlsx,
  rosterEntrySchema,
  scheduleSchema,
  subgroupSchema,
  teacherRecordSchema,
  topicSchema,
  validateSchedule,
  validateSnils,
} from '@otmetka/shared';
import type { DiaryResponse, TeacherListResponse } from '@otmetka/shared/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTeacherInput } from '../src/admin/teachers.ts';
import { orgDbName, privateDbName, subgroupDbName } from '../src/db/store.ts';
import {
  buildDemo,
  DEMO_ORG_ID,
  DEMO_PASSWORD,
  type SeedSummary,
  seedDemo,
} from '../src/seed/index.ts';
import { call, login, startServer, type TestServer } from './helpers.ts';

/**
 * The demo organisation on a real embedded database: counts, validity of every document by the
 * shared schemas and rules, the demo accounts over HTTP, determinism and idempotence.
 */

const NOW = new Date('2026-12-04T12:00:00Z');

let server: TestServer;
let summary: SeedSummary;

beforeAll(async () => {
  server = await startServer();
  summary = (await seedDemo(server.store, { now: NOW }))!;
});

afterAll(async () => {
  await server?.stop();
});

async function all(db: string, type: string) {
  return server.store.listByType(db, type);
}

describe('seedDemo', () => {
  it('seeds an organisation of real size: 8 programmes, 20 subgroups, 12 teachers, 250 learners', async () => {
    expect(summary).toMatchObject({
      orgId: DEMO_ORG_ID,
      today: '2026-12-04',
      programmes: 8,
      subgroups: 20,
      teachers: 12,
      learners: 250,
    });
    const org = orgDbName(DEMO_ORG_ID);
    expect(await all(org, 'programme')).toHaveLength(8);
    expect(await all(org, 'subgroup')).toHaveLength(20);
    expect(await all(org, 'schedule')).toHaveLength(20);
    expect(await all(privateDbName(DEMO_ORG_ID), 'learner')).toHaveLength(250);
    const focuses = new Set((await all(org, 'programme')).map((p) => p.focus));
    expect(focuses.size).toBeGreaterThanOrEqual(5);
  });

  it('applications come in every status of the organisation, most «обучается»', () => {
    for (const status of DEFAULT_APPLICATION_STATUSES)
      expect(summary.applications[status]).toBeGreaterThan(0);
    const total = Object.values(summary.applications).reduce((a, b) => a + b, 0);
    expect(summary.applications[APPLICATION_STUDYING]! / total).toBeGreaterThan(0.7);
  });

  it('[SN2] every teacher entry is valid: СНИЛС checksum, passport, dates', async () => {
    const records = await all(privateDbName(DEMO_ORG_ID), 'teacherRecord');
    expect(records).toHaveLength(12);
    for (const record of records) {
      const teacher = teacherRecordSchema.parse(record);
      expect(validateSnils(teacher.snils).ok).toBe(true);
      expect(teacher.passport.issuedOn > teacher.birthDate).toBe(true);
      // What the registry checks on every save: an admin can save a demo entry unchanged.
      expect(() => checkTeacherInput(teacher, '2026-12-04'), teacher.id).not.toThrow();
    }
  });

  it('[SCH3] schedules pass the shared rules and skip holidays unless flagged', async () => {
    const org = orgDbName(DEMO_ORG_ID);
    const subgroups = new Map(
      (await all(org, 'subgroup')).map((s) => [s.id, subgroupSchema.parse(s)]),
    );
    const calendar = defaultCalendar();
    let withExceptions = 0;
    for (const raw of await all(org, 'schedule')) {
      const schedule = scheduleSchema.parse(raw);
      validateSchedule(schedule, subgroups.get(schedule.subgroupId)!);
      if (schedule.exceptions.length > 0) withExceptions += 1;
      expect(schedule.rules.length).toBeGreaterThanOrEqual(1);
      expect(schedule.rules.length).toBeLessThanOrEqual(2);

      const lessons = (await all(subgroupDbName(schedule.subgroupId), 'lesson')).map((l) =>
        lessonSchema.parse(l),
      );
      const onHoliday = lessons.filter((l) => calendar.isNonWorking(l.date));
      if (schedule.holidayRule === 'skip') expect(onHoliday).toEqual([]);
      else expect(onHoliday.every((l) => l.flag === 'holiday')).toBe(true);
    }
    expect(withExceptions).toBeGreaterThan(0);
  });

  it('the journal runs up to now: lessons before now, ~8 % absences coded Н/Б/УП, marks only for enrolled learners', async () => {
    let marks = 0;
    let absences = 0;
    for (const raw of await all(orgDbName(DEMO_ORG_ID), 'subgroup')) {
      const db = subgroupDbName(raw.id);
      const roster = new Map(
        (await all(db, 'roster'))
          .map((r) => rosterEntrySchema.parse(r))
          .map((r: RosterEntry) => [r.learnerId, r]),
      );
      const lessons = (await all(db, 'lesson')).map((l) => lessonSchema.parse(l));
      expect(lessons.every((l) => l.date <= '2026-12-04')).toBe(true);
      expect((await all(db, 'topic')).map((t) => topicSchema.parse(t)).length).toBeGreaterThan(
        lessons.length,
      );

      for (const mark of (await all(db, 'mark')).map((m) => markSchema.parse(m))) {
        marks += 1;
        if (mark.code !== '') {
          absences += 1;
          expect(['Н', 'Б', 'УП']).toContain(mark.code);
        }
        expect(isEnrolledOn(roster.get(mark.learnerId)!.intervals, mark.date)).toBe(true);
      }
    }
    expect(marks).toBe(summary.marks);
    expect(absences / marks).toBeGreaterThan(0.05);
    expect(absences / marks).toBeLessThan(0.11);
  });

  it('every application and learner is a valid document; a few learners joined mid-year', async () => {
    const applications = (await all(orgDbName(DEMO_ORG_ID), 'application')).map((a) =>
      applicationSchema.parse(a),
    );
    for (const l of await all(privateDbName(DEMO_ORG_ID), 'learner')) learnerSchema.parse(l);
    for (const p of await all(orgDbName(DEMO_ORG_ID), 'programme')) programmeSchema.parse(p);
    const midYear = applications.filter(
      (a) => a.status === APPLICATION_STUDYING && (a.history.at(-1)!.date ?? '') > '2026-09-15',
    );
    expect(midYear.length).toBeGreaterThan(0);
  });

  it('demo accounts sign in with otmetka-demo: admin sees the registry, the teacher has 3–4 subgroups', async () => {
    const admin = (await login(server.url, 'admin', DEMO_PASSWORD)).accessToken;
    const list = (await call(server.url, 'GET', '/api/admin/teachers', { token: admin }))
      .body as TeacherListResponse;
    expect(list.teachers).toHaveLength(12);
    const demoTeacher = list.teachers.find((t) => t.account?.login === 'teacher')!;
    expect(demoTeacher.subgroupIds.length).toBeGreaterThanOrEqual(3);
    expect(demoTeacher.subgroupIds.length).toBeLessThanOrEqual(4);

    const teacher = (await login(server.url, 'teacher', DEMO_PASSWORD)).accessToken;
    const res = await fetch(
      `${server.url}/api/reports/tabel.xlsx?subgroupId=${demoTeacher.subgroupIds[0]}&month=2026-11`,
      {
        headers: { authorization: `Bearer ${teacher}` },
      },
    );
    expect(res.status).toBe(200);
    const rows = readXlsx(new Uint8Array(await res.arrayBuffer())).sheets[0]!.rows;
    expect(rows.length).toBeGreaterThan(10);
  });

  it('the demo parent has two children in the demo teacher’s subgroups, with marks in the diary', async () => {
    const parent = (await login(server.url, 'parent', DEMO_PASSWORD)).accessToken;
    const children = (await call(server.url, 'GET', '/api/parent/children', { token: parent }))
      .body as {
      children: { id: string }[];
    };
    expect(children.children).toHaveLength(2);

    const teacherSubgroups = (await all(orgDbName(DEMO_ORG_ID), 'subgroup'))
      .filter((s) => (s.teacherIds as string[]).includes('t-01'))
      .map((s) => s.id);
    for (const child of children.children) {
      const diary = (
        await call(server.url, 'GET', `/api/parent/diary/${child.id}?month=2026-11`, {
          token: parent,
        })
      ).body as DiaryResponse;
      expect(diary.subgroups).toHaveLength(1);
      expect(teacherSubgroups).toContain(diary.subgroups[0]!.subgroupId);
      expect(
        diary.subgroups[0]!.lessons.filter((l) => l.code !== null).length,
      ).toBeGreaterThanOrEqual(3);
      expect(JSON.stringify(diary)).not.toMatch(/birthDate|passport|snils/);
    }
  });

  it('is deterministic: the same now builds the same organisation', () => {
    expect(JSON.stringify(buildDemo(NOW))).toBe(JSON.stringify(buildDemo(NOW)));
  });

  it('is idempotent: on a database that holds an organisation it does nothing', async () => {
    const db = subgroupDbName('sg-robot-1');
    const before = (await server.store.db(db).info()).doc_count;
    expect(await seedDemo(server.store, { now: new Date('2027-03-01T12:00:00Z') })).toBeNull();
    expect((await server.store.db(db).info()).doc_count).toBe(before);
  });
});
