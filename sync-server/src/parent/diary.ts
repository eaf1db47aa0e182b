import {
  codeInfo,
  compareSlots,
  isEnrolledOn,
  isNotHeld,
  type LessonPlace,
  type Mark,
  monthDays,
  monthOf,
  type Org,
  type RosterEntry,
  rosterId,
  type TakenSlot,
} from '@otmetka/shared';
import {
  type DiaryResponse,
  diaryParamsSchema,
  diaryQuerySchema,
  diaryResponseSchema,
} from '@otmetka/shared/api';
import type { FastifyInstance } from 'fastify';
import { journal, learnerDisplayName, OrgData, slotsOf, takenOf } from '../admin/data.ts';
import type { Doc } from '../db/store.ts';
import { route } from '../http/route.ts';
import { mergeLessons, notHeldFromTaken } from '../reports/tabel.ts';
import { ownChild } from './own.ts';

/**
 * The diary of one child for one month: in each subgroup the child was enrolled in, the lessons
 * on the dates of enrolment (schedule slots merged with the teacher's lessons), with topic,
 * homework, the child's attendance code and grade. Other children's marks are never read.
 */

type DiarySubgroup = DiaryResponse['subgroups'][number];
type DiaryLesson = DiarySubgroup['lessons'][number];
type ShownLesson = ReturnType<typeof mergeLessons>[number] & {
  movedTo?: LessonPlace | null;
  movedFrom?: LessonPlace | null;
  holiday?: string | null;
};

/**
 * PD1: one lesson as the parent sees it. A lesson cancelled or moved did not take place on its
 * date: it shows its status, with no attendance or grade (a mark taken before the change stays
 * stored but counts nowhere, as in the табель), and no reason (the teacher's reason may be
 * about the teacher). GR1: a grade only while the programme grades (`grades`); one stored
 * earlier stays stored and comes back when grading is turned on again.
 */
export function diaryLesson(
  lesson: ShownLesson,
  mark: Pick<Mark, 'code' | 'grade'> | undefined,
  codes: Org['attendanceCodes'],
  grades: boolean,
): DiaryLesson {
  const shown = isNotHeld(lesson.status) ? undefined : mark;
  return {
    lessonId: lesson.lessonId,
    date: lesson.date,
    start: lesson.start,
    end: lesson.end,
    status: lesson.status,
    topicTitle: lesson.topicTitle,
    homework: lesson.homework,
    code: shown ? shown.code : null,
    codeLabel: shown ? (codeInfo(codes, shown.code)?.label ?? null) : null,
    grade: grades ? (shown?.grade ?? null) : null,
    movedTo: lesson.movedTo ?? null,
    movedFrom: lesson.movedFrom ?? null,
    holiday: lesson.holiday ?? null,
  };
}

/**
 * PD12: the month's lessons with the rules' lessons the admin cancelled or moved away (SCH14),
 * which leave the slots. A lesson of the teacher kept on such a slot only for what was planned
 * ahead never took place (RP5) and gives way to the cancellation; one held or cancelled by the
 * teacher stays as it is.
 */
function monthWithTaken(merged: ShownLesson[], taken: TakenSlot[], month: string): ShownLesson[] {
  const away = new Map(
    taken.filter((s) => monthOf(s.date) === month).map((s) => [s.lessonId, notHeldFromTaken(s)]),
  );
  const kept = merged.filter((l) => !(away.has(l.lessonId) && l.status === 'planned'));
  const keptIds = new Set(kept.map((l) => l.lessonId));
  const added = [...away.values()].filter((l) => !keptIds.has(l.lessonId));
  return [...kept, ...added].sort(compareSlots);
}

async function subgroupDiary(
  data: OrgData,
  org: Org,
  subgroupId: string,
  learnerId: string,
  month: string,
): Promise<DiarySubgroup | undefined> {
  const sg = journal(data.store, subgroupId);
  const entry = await data.store.get<RosterEntry & Doc>(sg.db, rosterId(subgroupId, learnerId));
  if (!entry) return undefined;

  const days = monthDays(month);
  const [from, to] = [days[0]!, days.at(-1)!];
  const subgroup = await data.subgroup(subgroupId);
  const [programme, schedule, calendar, lessons, marks] = await Promise.all([
    data.programme(subgroup.programmeId).catch(() => undefined),
    data.schedule(subgroupId),
    data.calendar(),
    sg.lessonsBetween(from, to),
    data.store.find<Mark & Doc>(sg.db, { type: 'mark', learnerId, date: { $gte: from, $lte: to } }),
  ]);
  const markOf = new Map(marks.map((m) => [m.lessonId, m]));
  const grades = programme?.gradesEnabled ?? false;
  const slots = slotsOf(subgroup, schedule, calendar).filter((s) => s.date >= from && s.date <= to);

  const merged = mergeLessons(month, slots, lessons);
  const movedFrom = new Map(slots.map((s) => [s.lessonId, s.movedFrom]));
  const shown = monthWithTaken(merged, takenOf(subgroup, schedule, calendar), month)
    .filter((l) => isEnrolledOn(entry.intervals, l.date))
    .map((l) => {
      const placed = {
        ...l,
        movedFrom: movedFrom.get(l.lessonId),
        holiday: calendar.holidayName(l.date),
      };
      return diaryLesson(placed, markOf.get(l.lessonId), org.attendanceCodes, grades);
    });
  return {
    subgroupId,
    subgroupName: subgroup.name,
    programmeName: programme?.name ?? '',
    gradesEnabled: grades,
    lessons: shown,
  };
}

export function diaryRoute(app: FastifyInstance): void {
  route(
    app,
    {
      method: 'GET',
      url: '/api/parent/diary/:learnerId',
      summary: 'Дневник ребёнка за месяц: занятия, темы, посещаемость, домашние задания, оценки',
      tags: ['parent'],
      params: diaryParamsSchema,
      query: diaryQuerySchema,
      response: diaryResponseSchema,
      roles: ['parent'],
    },
    async ({ user, params, query }) => {
      const data = new OrgData(app.store, user.org);
      const learner = await ownChild(data, user.sub, params.learnerId);
      const [org, applications] = await Promise.all([
        data.org(),
        data.applications({ learnerId: learner.id }),
      ]);
      const subgroupIds = [...new Set(applications.map((a) => a.subgroupId))];
      const subgroups = await Promise.all(
        subgroupIds.map((id) => subgroupDiary(data, org, id, learner.id, query.month)),
      );
      return {
        learnerId: learner.id,
        learnerName: learnerDisplayName(learner),
        month: query.month,
        subgroups: subgroups.filter((s): s is DiarySubgroup => s !== undefined),
      };
    },
  );
}
