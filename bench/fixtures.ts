/**
 * Realistic journal data for the benchmarks: a teacher's study year (12 subgroups × 15 learners ×
 * about 70 lessons on a twice-weekly schedule, with topics, roster and one mark per learner per
 * lesson), built with the shared schedule expansion so every document passes the push rules.
 */

import {
  DEFAULT_APPLICATION_STATUSES,
  DEFAULT_ATTENDANCE_CODES,
  defaultCalendar,
  expandSchedule,
  type Lesson,
  type LessonSlot,
  lessonId,
  type Mark,
  markId,
  type Org,
  type Programme,
  type RosterEntry,
  rosterId,
  type Schedule,
  type Stamp,
  type Subgroup,
  scheduleId,
  type Topic,
  type User,
} from '../shared/src/index.ts';
import { FEMALE_NAMES, MALE_NAMES, SURNAMES } from '../sync-server/src/seed/names.ts';
import { Random } from '../sync-server/src/seed/random.ts';

export type Doc = { id: string } & Record<string, unknown>;

export const YEAR_FROM = '2026-09-01';
export const YEAR_TO = '2027-05-31';
export const SUBGROUPS_PER_TEACHER = 12;
export const LEARNERS_PER_SUBGROUP = 15;
export const LESSONS_PER_SUBGROUP = 70;
export const TOPICS_PER_SUBGROUP = 36;

const WEEKDAYS = [
  [1, 3],
  [2, 4],
  [3, 5],
  [1, 4],
  [2, 5],
  [1, 5],
];
const STARTS = ['09:00', '11:00', '14:00', '16:00', '18:00'];
const HOMEWORK = [
  'Повторить правила техники безопасности',
  'Доделать модель по схеме',
  'Подготовить эскиз к следующему занятию',
  '',
  '',
];

function seedOf(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

export function orgDoc(orgId: string): Org {
  return {
    id: orgId,
    type: 'org',
    name: `ДДТ «Бенчмарк ${orgId}»`,
    city: 'Оренбург',
    timeZone: 'Asia/Yekaterinburg',
    attendanceCodes: DEFAULT_ATTENDANCE_CODES,
    lockDay: null,
    applicationStatuses: DEFAULT_APPLICATION_STATUSES,
  };
}

export function programmeDoc(orgId: string): Programme {
  return {
    id: `${orgId}-prog`,
    type: 'programme',
    orgId,
    name: 'Робототехника и конструирование',
    focus: 'technical',
    level: 'basic',
    ageFrom: 8,
    ageTo: 14,
    hoursPerYear: 144,
    gradesEnabled: false,
    description: 'Программа технической направленности, базовый уровень.',
  };
}

export interface SubgroupJournal {
  subgroup: Subgroup;
  schedule: Schedule;
  roster: RosterEntry[];
  topics: Topic[];
  lessons: Lesson[];
  marks: Mark[];
}

export interface TeacherYear {
  orgId: string;
  teacherId: string;
  userId: string;
  login: string;
  groups: SubgroupJournal[];
}

export interface TeacherOptions {
  orgId: string;
  /** Unique per teacher: a prefix of every id (a-z, 0-9, -). */
  key: string;
  lessons?: number;
  topics?: number;
  subgroups?: number;
}

function stamp(at: number, dev: string, by: string): Stamp {
  return { at, dev, by, off: false };
}

function scheduleFor(orgId: string, subgroupId: string, index: number): Schedule {
  const start = STARTS[index % STARTS.length]!;
  const [h, m] = start.split(':').map(Number) as [number, number];
  const endMinutes = h * 60 + m + 90;
  const end = `${String(Math.floor(endMinutes / 60)).padStart(2, '0')}:${String(endMinutes % 60).padStart(2, '0')}`;
  return {
    id: scheduleId(subgroupId),
    type: 'schedule',
    orgId,
    subgroupId,
    rules: [
      {
        id: 'rule-1',
        from: YEAR_FROM,
        to: YEAR_TO,
        weekdays: WEEKDAYS[index % WEEKDAYS.length]!,
        start,
        end,
        academicHours: 2,
        minutesPerHour: 45,
        breakMinutes: 0,
      },
    ],
    exceptions: [],
    holidayRule: 'skip',
  };
}

function learnerName(random: Random): string {
  const female = random.next() < 0.5;
  const surname = random.pick(SURNAMES);
  return female
    ? `${surname.endsWith('ий') ? surname : `${surname}а`} ${random.pick(FEMALE_NAMES)}`
    : `${surname} ${random.pick(MALE_NAMES)}`;
}

function topicsFor(orgId: string, subgroupId: string, at: Stamp, count: number): Topic[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `topic:${subgroupId}:${String(i + 1).padStart(3, '0')}`,
    type: 'topic' as const,
    orgId,
    subgroupId,
    order: i + 1,
    section: `Раздел ${Math.floor(i / 6) + 1}`,
    title: `Тема ${i + 1}: сборка и программирование модели`,
    hours: 4,
    form: 'практическое занятие',
    control: i % 6 === 5 ? 'мини-проект' : 'наблюдение',
    plannedDate: null,
    stamps: {
      order: at,
      section: at,
      title: at,
      hours: at,
      form: at,
      control: at,
      plannedDate: at,
    },
  }));
}

function lessonFor(
  slot: LessonSlot,
  orgId: string,
  topic: Topic | undefined,
  s: Stamp,
  hw: string,
): Lesson {
  return {
    id: slot.lessonId,
    type: 'lesson',
    orgId,
    subgroupId: slot.subgroupId,
    date: slot.date,
    start: slot.start,
    end: slot.end,
    academicHours: slot.academicHours,
    status: 'held',
    statusReason: '',
    topicId: topic?.id ?? null,
    topicTitle: topic?.title ?? 'Вводное занятие',
    homework: hw,
    remark: '',
    flag: null,
    stamps: { status: s, statusReason: s, topicId: s, topicTitle: s, homework: s, remark: s },
  };
}

function markCode(random: Random): string {
  const r = random.next();
  if (r < 0.85) return '';
  if (r < 0.94) return 'Н';
  if (r < 0.98) return 'Б';
  return 'УП';
}

const slotCache = new Map<number, LessonSlot[]>();
const calendar = defaultCalendar();

/** The year's slots of the index-th schedule pattern; expanded once, renamed per subgroup. */
function slotsOf(index: number, subgroupId: string): LessonSlot[] {
  let template = slotCache.get(index);
  if (!template) {
    const period = { id: 'tpl', periodFrom: YEAR_FROM, periodTo: YEAR_TO };
    template = expandSchedule({
      schedule: scheduleFor('tpl', 'tpl', index),
      subgroup: period,
      calendar,
    });
    slotCache.set(index, template);
  }
  return template.map((slot) => ({
    ...slot,
    subgroupId,
    lessonId: lessonId(subgroupId, slot.date, slot.start),
  }));
}

function subgroupJournal(
  options: TeacherOptions,
  teacherId: string,
  userId: string,
  index: number,
): SubgroupJournal {
  const { orgId, key } = options;
  const random = new Random(seedOf(`${key}-${index}`));
  const subgroupId = `${key}-sg${String(index + 1).padStart(2, '0')}`;
  const subgroup: Subgroup = {
    id: subgroupId,
    type: 'subgroup',
    orgId,
    programmeId: `${orgId}-prog`,
    name: `Группа ${index + 1}`,
    teacherIds: [teacherId],
    capacity: LEARNERS_PER_SUBGROUP,
    periodFrom: YEAR_FROM,
    periodTo: YEAR_TO,
    hoursPerYear: 144,
  };
  const schedule = scheduleFor(orgId, subgroupId, index);
  const slots = slotsOf(index, subgroupId).slice(0, options.lessons ?? LESSONS_PER_SUBGROUP);
  const dev = `dev-${key}`;
  const base = Date.UTC(2026, 8, 1);
  const roster: RosterEntry[] = Array.from({ length: LEARNERS_PER_SUBGROUP }, (_, i) => {
    const learnerId = `${subgroupId}-l${String(i + 1).padStart(2, '0')}`;
    return {
      id: rosterId(subgroupId, learnerId),
      type: 'roster',
      orgId,
      subgroupId,
      learnerId,
      name: learnerName(random),
      intervals: [{ from: YEAR_FROM, to: null }],
      stamps: {},
    };
  });
  const topics = topicsFor(
    orgId,
    subgroupId,
    stamp(base, dev, userId),
    options.topics ?? TOPICS_PER_SUBGROUP,
  );
  const lessons: Lesson[] = [];
  const marks: Mark[] = [];
  slots.forEach((slot, n) => {
    const at = base + n * 86_400_000 + index * 60_000;
    const s = stamp(at, dev, userId);
    const topic = topics.length > 0 ? topics[n % topics.length] : undefined;
    lessons.push(lessonFor(slot, orgId, topic, s, random.pick(HOMEWORK)));
    for (const r of roster) {
      marks.push({
        id: markId(slot.lessonId, r.learnerId),
        type: 'mark',
        orgId,
        subgroupId,
        lessonId: lessonId(subgroupId, slot.date, slot.start),
        learnerId: r.learnerId,
        date: slot.date,
        code: markCode(random),
        grade: null,
        note: '',
        stamps: { code: s, grade: s, note: s },
      });
    }
  });
  return { subgroup, schedule, roster, topics, lessons, marks };
}

export function teacherYear(options: TeacherOptions): TeacherYear {
  const teacherId = `${options.key}-t`;
  const userId = `${options.key}-u`;
  const groups = Array.from({ length: options.subgroups ?? SUBGROUPS_PER_TEACHER }, (_, i) =>
    subgroupJournal(options, teacherId, userId, i),
  );
  return { orgId: options.orgId, teacherId, userId, login: options.key, groups };
}

/** The teacher's catalog documents (the org and programme are per organisation). */
export function catalogDocs(t: TeacherYear): Doc[] {
  return [
    { id: t.teacherId, type: 'teacher', orgId: t.orgId, displayName: `Педагог ${t.login}` },
    ...t.groups.flatMap((g) => [g.subgroup, g.schedule]),
  ] as Doc[];
}

export function userDoc(t: TeacherYear, passwordHash: string): User {
  return {
    id: t.userId,
    type: 'user',
    orgId: t.orgId,
    login: t.login,
    role: 'teacher',
    displayName: `Педагог ${t.login}`,
    teacherId: t.teacherId,
    passwordHash,
    createdAt: 0,
  };
}

/** Every journal document of one subgroup, in the order a year fills it. */
export function journalDocs(g: SubgroupJournal, withMarks = true): Doc[] {
  return [
    ...g.roster,
    ...g.topics,
    ...g.lessons,
    ...(withMarks ? g.marks : []),
  ] as unknown as Doc[];
}

export function allMarks(t: TeacherYear): Mark[] {
  return t.groups.flatMap((g) => g.marks);
}

export function countDocs(t: TeacherYear): number {
  return t.groups.reduce(
    (n, g) => n + g.roster.length + g.topics.length + g.lessons.length + g.marks.length,
    0,
  );
}
