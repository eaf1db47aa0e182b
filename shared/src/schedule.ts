import type { HolidayCalendar } from './calendar.ts';
import {
  dateOfDayNumber,
  dayNumber,
  minutesOf,
  parseLocalDate,
  parseLocalTime,
  formatRuDate as ru,
  ruWeekdays,
  weekdayOfDayNumber,
} from './dates.ts';
import { DomainError } from './errors.ts';
import { isEntityId } from './formats.ts';
import { lessonId } from './ids.ts';
import type { Schedule, ScheduleException, ScheduleRule, Subgroup } from './schemas/catalog.ts';

/**
 * Schedule → dated lesson slots (SCH1–SCH8). A schedule is a list of weekly rules plus
 * exceptions; a slot is one lesson time on one local date. A slot's id comes from
 * (subgroup, date, start), so re-expanding, splitting a rule mid-year or expanding under
 * another process time zone never renames a past lesson.
 *
 * Expansion always covers the subgroup's whole study period and then cuts the requested
 * window: exceptions and overlaps are judged on the whole schedule, so a window never hides a
 * move into it or a clash.
 */

/** One lesson time of the schedule on one date. */
export interface LessonSlot {
  lessonId: string;
  subgroupId: string;
  date: string;
  start: string;
  end: string;
  academicHours: number;
  /** The holiday's name when the slot falls on a non-working day and is kept. */
  holiday: string | null;
  /** The rule the slot comes from; null for an `add` exception. */
  ruleId: string | null;
  /** For a moved lesson: where it was. */
  movedFrom: { date: string; start: string } | null;
}

type Period = Pick<Subgroup, 'id' | 'periodFrom' | 'periodTo'>;

/** A slot while it is built, with the schedule entry it came from (for error fields). */
interface Draft extends LessonSlot {
  source: string;
  fromRule: boolean;
}

function fail(
  field: string,
  message: string,
  code: 'INVALID_SCHEDULE' | 'OVERLAPPING_EXCEPTION' = 'INVALID_SCHEDULE',
): never {
  throw new DomainError(code, field, message);
}

function checkPeriod(subgroup: Period): void {
  if (!subgroup || !isEntityId(subgroup.id)) fail('subgroup.id', 'нет подгруппы');
  parseLocalDate(subgroup.periodFrom, 'subgroup.periodFrom');
  parseLocalDate(subgroup.periodTo, 'subgroup.periodTo');
  if (subgroup.periodTo < subgroup.periodFrom) {
    fail('subgroup.periodTo', 'период обучения кончается раньше, чем начинается');
  }
}

function checkTimes(start: string, end: string, startField: string, endField: string): void {
  const from = minutesOf(start, startField);
  if (minutesOf(end, endField) <= from)
    fail(endField, 'занятие должно кончаться позже, чем начинается');
}

function checkHours(value: unknown, field: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0.5 || value > 12) {
    fail(field, 'академических часов должно быть от 0,5 до 12');
  }
}

function checkInPeriod(date: string, subgroup: Period, field: string): void {
  if (date < subgroup.periodFrom || date > subgroup.periodTo) {
    fail(
      field,
      `дата ${ru(date)} вне периода обучения ${ru(subgroup.periodFrom)} – ${ru(subgroup.periodTo)}`,
    );
  }
}

function checkRule(rule: ScheduleRule, i: number, subgroup: Period, ids: Set<string>): void {
  const f = `rules[${i}]`;
  if (!rule || typeof rule !== 'object') fail(f, 'ожидается правило расписания');
  if (!isEntityId(rule.id)) fail(`${f}.id`, 'неверный идентификатор правила');
  if (ids.has(rule.id)) fail(`${f}.id`, `правило ${rule.id} повторяется`);
  ids.add(rule.id);

  parseLocalDate(rule.from, `${f}.from`);
  parseLocalDate(rule.to, `${f}.to`);
  if (rule.to < rule.from) fail(`${f}.to`, 'правило кончается раньше, чем начинается');
  checkInPeriod(rule.from, subgroup, `${f}.from`);
  checkInPeriod(rule.to, subgroup, `${f}.to`);

  if (!Array.isArray(rule.weekdays) || rule.weekdays.length === 0)
    fail(`${f}.weekdays`, 'не выбраны дни недели');
  rule.weekdays.forEach((w, j) => {
    if (!Number.isInteger(w) || w < 1 || w > 7)
      fail(`${f}.weekdays[${j}]`, `неизвестный день недели ${String(w)}`);
    if (rule.weekdays.indexOf(w) !== j) fail(`${f}.weekdays[${j}]`, `день недели ${w} повторяется`);
  });

  checkTimes(rule.start, rule.end, `${f}.start`, `${f}.end`);
  checkHours(rule.academicHours, `${f}.academicHours`);
  if (
    !Number.isInteger(rule.minutesPerHour) ||
    rule.minutesPerHour < 15 ||
    rule.minutesPerHour > 60
  ) {
    fail(`${f}.minutesPerHour`, 'академический час должен быть от 15 до 60 минут');
  }
  if (!Number.isInteger(rule.breakMinutes) || rule.breakMinutes < 0 || rule.breakMinutes > 60) {
    fail(`${f}.breakMinutes`, 'перерыв должен быть от 0 до 60 минут');
  }
  const minutes = minutesOf(rule.end, `${f}.end`) - minutesOf(rule.start, `${f}.start`);
  if (rule.academicHours * rule.minutesPerHour > minutes) {
    fail(
      `${f}.academicHours`,
      `${rule.academicHours} ак. ч по ${rule.minutesPerHour} мин не умещаются в ${minutes} мин занятия`,
    );
  }
}

function checkException(ex: ScheduleException, i: number, subgroup: Period): void {
  const f = `exceptions[${i}]`;
  if (!ex || typeof ex !== 'object') fail(f, 'ожидается исключение расписания');
  parseLocalDate(ex.date, `${f}.date`);
  parseLocalTime(ex.start, `${f}.start`);
  minutesOf(ex.start, `${f}.start`);
  if (ex.kind === 'cancel') return;
  if (ex.kind === 'move') {
    parseLocalDate(ex.toDate, `${f}.toDate`);
    checkInPeriod(ex.toDate, subgroup, `${f}.toDate`);
    checkTimes(ex.toStart, ex.toEnd, `${f}.toStart`, `${f}.toEnd`);
    return;
  }
  if (ex.kind === 'add') {
    checkInPeriod(ex.date, subgroup, `${f}.date`);
    checkTimes(ex.start, ex.end, `${f}.start`, `${f}.end`);
    checkHours(ex.academicHours, `${f}.academicHours`);
    return;
  }
  fail(`${f}.kind`, `неизвестный вид исключения ${String((ex as { kind: unknown }).kind)}`);
}

/** Field checks of the whole schedule, without expanding it. */
function checkFields(schedule: Schedule, subgroup: Period): void {
  checkPeriod(subgroup);
  if (!schedule || typeof schedule !== 'object') fail('schedule', 'нет расписания');
  if (schedule.subgroupId !== subgroup.id) fail('subgroupId', 'расписание другой подгруппы');
  if (schedule.holidayRule !== 'skip' && schedule.holidayRule !== 'flag') {
    fail('holidayRule', 'ожидается skip или flag');
  }
  if (!Array.isArray(schedule.rules)) fail('rules', 'ожидается список правил');
  if (!Array.isArray(schedule.exceptions)) fail('exceptions', 'ожидается список исключений');

  const ids = new Set<string>();
  schedule.rules.forEach((rule, i) => {
    checkRule(rule, i, subgroup, ids);
  });
  schedule.exceptions.forEach((ex, i) => {
    checkException(ex, i, subgroup);
  });
}

function ruleSlots(schedule: Schedule, calendar: HolidayCalendar | null): Map<string, Draft> {
  const slots = new Map<string, Draft>();
  schedule.rules.forEach((rule, i) => {
    const last = dayNumber(rule.to);
    const days = new Set(rule.weekdays);
    for (let n = dayNumber(rule.from); n <= last; n++) {
      if (!days.has(weekdayOfDayNumber(n))) continue;
      const date = dateOfDayNumber(n);
      const key = `${date} ${rule.start}`;
      if (slots.has(key)) fail(`rules[${i}]`, `два занятия ${ru(date)} в ${rule.start}`);
      slots.set(key, {
        lessonId: lessonId(schedule.subgroupId, date, rule.start),
        subgroupId: schedule.subgroupId,
        date,
        start: rule.start,
        end: rule.end,
        academicHours: rule.academicHours,
        holiday: calendar?.holidayName(date) ?? null,
        ruleId: rule.id,
        movedFrom: null,
        source: `rules[${i}]`,
        fromRule: true,
      });
    }
  });
  return slots;
}

function applyExceptions(
  schedule: Schedule,
  slots: Map<string, Draft>,
  calendar: HolidayCalendar | null,
): void {
  const touched = new Map<string, number>();
  schedule.exceptions.forEach((ex, i) => {
    const f = `exceptions[${i}]`;
    const key = `${ex.date} ${ex.start}`;
    const earlier = touched.get(key);
    if (earlier !== undefined) {
      fail(
        f,
        `занятие ${ru(ex.date)} в ${ex.start} уже изменено исключением ${earlier + 1}`,
        'OVERLAPPING_EXCEPTION',
      );
    }
    touched.set(key, i);

    const base = slots.get(key);
    if (ex.kind === 'add') {
      if (base)
        fail(f, `на ${ru(ex.date)} в ${ex.start} уже есть занятие`, 'OVERLAPPING_EXCEPTION');
      slots.set(
        key,
        draft(schedule, ex.date, ex.start, ex.end, ex.academicHours, null, null, f, calendar),
      );
      return;
    }
    if (!base?.fromRule)
      fail(f, `в расписании нет занятия ${ru(ex.date)} в ${ex.start}`, 'OVERLAPPING_EXCEPTION');
    slots.delete(key);
    if (ex.kind === 'cancel') return;

    const target = `${ex.toDate} ${ex.toStart}`;
    if (slots.has(target))
      fail(
        `${f}.toDate`,
        `на ${ru(ex.toDate)} в ${ex.toStart} уже есть занятие`,
        'OVERLAPPING_EXCEPTION',
      );
    const from = { date: ex.date, start: ex.start };
    slots.set(
      target,
      draft(
        schedule,
        ex.toDate,
        ex.toStart,
        ex.toEnd,
        base.academicHours,
        base.ruleId,
        from,
        f,
        calendar,
      ),
    );
  });
}

/**
 * SCH12: a moved lesson keeps its academic hours, so its new time must hold them as its rule's
 * does (SCH5): moved to 07:00–07:45, a lesson of 2 hours of 45 minutes would count 2 hours
 * delivered in 45 minutes. A shorter lesson is a cancellation and an added lesson instead.
 */
function checkMovedFits(
  schedule: Schedule,
  base: Draft,
  ex: Extract<ScheduleException, { kind: 'move' }>,
  f: string,
): void {
  const rule = schedule.rules.find((r) => r.id === base.ruleId);
  if (!rule) return;
  const minutes = minutesOf(ex.toEnd, `${f}.toEnd`) - minutesOf(ex.toStart, `${f}.toStart`);
  if (base.academicHours * rule.minutesPerHour <= minutes) return;
  fail(
    `${f}.toEnd`,
    `занятие ${ru(ex.date)} в ${ex.start} (${base.academicHours} ак. ч по ${rule.minutesPerHour} мин) не умещается в ${ex.toStart}–${ex.toEnd}; чтобы провести его короче, отмените его и добавьте занятие с меньшим числом часов`,
  );
}

function draft(
  schedule: Schedule,
  date: string,
  start: string,
  end: string,
  academicHours: number,
  ruleId: string | null,
  movedFrom: { date: string; start: string } | null,
  source: string,
  calendar: HolidayCalendar | null,
): Draft {
  return {
    lessonId: lessonId(schedule.subgroupId, date, start),
    subgroupId: schedule.subgroupId,
    date,
    start,
    end,
    academicHours,
    holiday: calendar?.holidayName(date) ?? null,
    ruleId,
    movedFrom,
    source,
    fromRule: false,
  };
}

/** SCH6: slots of one date sorted by start must not overlap. */
function checkOverlaps(sorted: Draft[]): void {
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1]!;
    const next = sorted[i]!;
    if (prev.date === next.date && minutesOf(prev.end) > minutesOf(next.start)) {
      fail(
        next.source,
        `занятия ${ru(next.date)} пересекаются: ${prev.start}–${prev.end} и ${next.start}–${next.end}`,
      );
    }
  }
}

function build(schedule: Schedule, subgroup: Period, calendar: HolidayCalendar | null): Draft[] {
  checkFields(schedule, subgroup);
  const slots = ruleSlots(schedule, calendar);
  applyExceptions(schedule, slots, calendar);

  const sorted = [...slots.values()].sort(compareSlots);
  checkOverlaps(sorted);

  // SCH3: 'skip' drops a rule's slot on a non-working day; a lesson placed there explicitly
  // (moved or added by the admin) stays, flagged.
  if (schedule.holidayRule === 'skip') return sorted.filter((s) => !(s.fromRule && s.holiday));
  return sorted;
}

/** (date, start) order of lessons. */
export function compareSlots(
  a: Pick<LessonSlot, 'date' | 'start'>,
  b: Pick<LessonSlot, 'date' | 'start'>,
): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  return a.start < b.start ? -1 : a.start > b.start ? 1 : 0;
}

/**
 * Throws DomainError (INVALID_SCHEDULE / OVERLAPPING_EXCEPTION / INVALID_DATE / INVALID_TIME)
 * naming the field (`rules[1].to`, `exceptions[0]`) when the schedule is not valid for the
 * subgroup (SCH4–SCH6). Holidays play no part here.
 */
export function validateSchedule(schedule: Schedule, subgroup: Period): void {
  build(schedule, subgroup, null);
  // On saving only: a schedule stored before SCH12 must still expand.
  const bases = ruleSlots(schedule, null);
  for (const [i, ex] of schedule.exceptions.entries()) {
    const base = bases.get(`${ex.date} ${ex.start}`);
    if (ex.kind === 'move' && base) checkMovedFits(schedule, base, ex, `exceptions[${i}]`);
    checkReason(ex, `exceptions[${i}]`);
  }
}

/**
 * SCH13: a lesson the admin cancels or moves keeps its reason, as one the teacher cancels or
 * moves does (PR9): the табель and the parents' diary tell it. An added lesson needs none.
 */
function checkReason(ex: ScheduleException, field: string): void {
  if (ex.kind === 'add' || ex.reason.trim() !== '') return;
  const what = ex.kind === 'cancel' ? 'отмены' : 'переноса';
  fail(`${field}.reason`, `укажите причину ${what} занятия ${ru(ex.date)} в ${ex.start}`);
}

type PeriodDates = Pick<Subgroup, 'periodFrom' | 'periodTo'>;
type PeriodBound = keyof PeriodDates;

/** One part of a schedule outside a study period: the end it crosses and how an admin reads it. */
interface OutsidePart {
  bound: PeriodBound;
  text: string;
}

function boundOf(date: string, period: PeriodDates): PeriodBound | null {
  if (date < period.periodFrom) return 'periodFrom';
  if (date > period.periodTo) return 'periodTo';
  return null;
}

function ruleOutside(rule: ScheduleRule, period: PeriodDates): OutsidePart[] {
  const name = `правило «${ruWeekdays(rule.weekdays)} ${rule.start}–${rule.end}»`;
  const parts: OutsidePart[] = [];
  // A rule wholly past one end crosses it too: the date it names is the one to change.
  if (rule.from < period.periodFrom)
    parts.push({ bound: 'periodFrom', text: `${name} начинается ${ru(rule.from)}` });
  if (rule.to > period.periodTo)
    parts.push({ bound: 'periodTo', text: `${name} идёт до ${ru(rule.to)}` });
  return parts;
}

function exceptionOutside(ex: ScheduleException, period: PeriodDates): OutsidePart[] {
  const lesson = `${ru(ex.date)} в ${ex.start}`;
  const parts: OutsidePart[] = [];
  const at = boundOf(ex.date, period);
  if (at) {
    const what = { cancel: 'отмена занятия', move: 'перенос занятия', add: 'разовое занятие' };
    parts.push({ bound: at, text: `${what[ex.kind]} ${lesson}` });
  }
  const to = ex.kind === 'move' ? boundOf(ex.toDate, period) : null;
  if (ex.kind === 'move' && to && to !== at) {
    parts.push({ bound: to, text: `перенос занятия ${lesson} на ${ru(ex.toDate)}` });
  }
  return parts;
}

/** SCH10: what the admin is told to do first, by the end of the period that was moved. */
function periodMessage(bound: PeriodBound, texts: string[], period: PeriodDates): string {
  const list = texts.join('; ');
  const change = 'Сначала измените расписание во вкладке «Расписание»';
  if (bound === 'periodTo') {
    return (
      `Расписание идёт дольше: ${list}. ${change}, чтобы оно кончалось не позже ` +
      `${ru(period.periodTo)}, затем сохраните новое окончание.`
    );
  }
  return (
    `Расписание начинается раньше: ${list}. ${change}, чтобы оно начиналось не раньше ` +
    `${ru(period.periodFrom)}, затем сохраните новое начало.`
  );
}

/**
 * SCH10: a new study period for a subgroup whose schedule it would cut: one message per end of
 * the period that cuts it (`periodFrom`, `periodTo`: the subgroup form's fields), naming every
 * rule and exception outside and telling the admin to change the schedule first. Empty when
 * the schedule fits. The schedule is never shortened for the admin: its slots may carry marks.
 */
export function periodScheduleConflicts(
  schedule: Schedule,
  period: PeriodDates,
): { field: PeriodBound; message: string }[] {
  const parts = [
    ...schedule.rules.flatMap((rule) => ruleOutside(rule, period)),
    ...schedule.exceptions.flatMap((ex) => exceptionOutside(ex, period)),
  ];
  return (['periodFrom', 'periodTo'] as const).flatMap((bound) => {
    const texts = parts.filter((p) => p.bound === bound).map((p) => p.text);
    return texts.length > 0 ? [{ field: bound, message: periodMessage(bound, texts, period) }] : [];
  });
}

/**
 * SCH1–SCH4: the lesson slots of a subgroup between `from` and `to` (inclusive, both optional,
 * clipped to the study period), sorted by (date, start). The result depends only on the
 * arguments, never on the process time zone (SCH2).
 */
export function expandSchedule(input: {
  schedule: Schedule;
  subgroup: Period;
  calendar: HolidayCalendar;
  from?: string;
  to?: string;
}): LessonSlot[] {
  const { schedule, subgroup, calendar } = input;
  if (!calendar || typeof calendar.holidayName !== 'function')
    fail('calendar', 'нет производственного календаря');
  const from = input.from === undefined ? null : parseLocalDate(input.from, 'from');
  const to = input.to === undefined ? null : parseLocalDate(input.to, 'to');
  if (from && to && to < from) fail('to', 'конец интервала раньше начала');

  const slots = build(schedule, subgroup, calendar);
  return slots
    .filter((s) => (!from || s.date >= from) && (!to || s.date <= to))
    .map(({ source: _s, fromRule: _r, ...slot }) => slot);
}

/** Where a lesson is: its local date and start. */
export interface LessonPlace {
  date: string;
  start: string;
}

/** A rule's lesson that an exception took off its date: cancelled there, or moved elsewhere. */
export interface TakenSlot extends LessonSlot {
  kind: 'cancel' | 'move';
  /** The admin's reason (SCH13; empty in a schedule stored before it). */
  reason: string;
  /** Where a moved lesson went; null for a cancelled one. */
  movedTo: LessonPlace | null;
}

/**
 * SCH14: the rules' lessons that the schedule's exceptions cancelled or moved away, in (date,
 * start) order, each as its rule gave it. They leave the slots, so without this list the
 * табель, the hours report and the parents' diary would say nothing of a date the group had
 * been told of, where they tell a lesson the teacher cancelled or moved (RP7, PD1). A rule's
 * lesson that `skip` drops on a holiday was never on the schedule, so cancelling it takes
 * nothing; nor does freeing a place another lesson is moved into.
 */
export function takenSlots(input: {
  schedule: Schedule;
  subgroup: Period;
  calendar: HolidayCalendar;
}): TakenSlot[] {
  const { schedule, subgroup, calendar } = input;
  const takers = schedule.exceptions.filter((ex) => ex.kind !== 'add');
  // Most schedules have none: no need to expand the year twice to find nothing.
  if (takers.length === 0) return [];
  // A lesson moved in can take the place another exception freed (the same date and start,
  // so the same lesson id): a lesson does take place there, and nothing is told as taken.
  const held = new Set(build(schedule, subgroup, calendar).map((s) => `${s.date} ${s.start}`));

  const bases = ruleSlots(schedule, calendar);
  const skipped = (slot: Draft) => schedule.holidayRule === 'skip' && slot.holiday !== null;
  const taken: TakenSlot[] = [];
  for (const ex of takers) {
    const key = `${ex.date} ${ex.start}`;
    const base = bases.get(key);
    if (!base || skipped(base) || held.has(key)) continue;
    const { source: _s, fromRule: _r, ...slot } = base;
    const movedTo = ex.kind === 'move' ? { date: ex.toDate, start: ex.toStart } : null;
    taken.push({ ...slot, kind: ex.kind, reason: ex.reason, movedTo });
  }
  return taken.sort(compareSlots);
}

// Slot lookups repeat for every row of a push batch; the index is cached per slots array.
const indexes = new WeakMap<LessonSlot[], Map<string, LessonSlot>>();

function indexOf(slots: LessonSlot[]): Map<string, LessonSlot> {
  let index = indexes.get(slots);
  if (!index) {
    index = new Map(slots.map((s) => [`${s.date} ${s.start}`, s]));
    indexes.set(slots, index);
  }
  return index;
}

/** The slot at (date, start), if the schedule has one. Treat `slots` as immutable. */
export function findSlot(slots: LessonSlot[], date: string, start: string): LessonSlot | undefined {
  if (!Array.isArray(slots)) fail('slots', 'ожидается список занятий');
  parseLocalDate(date, 'date');
  minutesOf(start, 'start');
  return indexOf(slots).get(`${date} ${start}`);
}

/** True when a lesson at (date, start) sits on a slot of the schedule (PR2). */
export function isOnSchedule(slots: LessonSlot[], date: string, start: string): boolean {
  return findSlot(slots, date, start) !== undefined;
}

/**
 * SCH8: what a schedule edit does to the journal. `removed` are old slots missing from the new
 * schedule, `added` new slots, `keptWithMarks` the removed slots whose lessons have marks (the
 * server keeps those lessons, flagged 'off-schedule'), `changed` slots whose id stays but whose
 * end or hours differ (new values).
 */
export function scheduleChangeImpact(
  oldSlots: LessonSlot[],
  newSlots: LessonSlot[],
  lessonIdsWithMarks: Set<string>,
): {
  removed: LessonSlot[];
  added: LessonSlot[];
  keptWithMarks: LessonSlot[];
  changed: LessonSlot[];
} {
  if (!Array.isArray(oldSlots)) fail('oldSlots', 'ожидается список занятий');
  if (!Array.isArray(newSlots)) fail('newSlots', 'ожидается список занятий');
  if (!(lessonIdsWithMarks instanceof Set))
    fail('lessonIdsWithMarks', 'ожидается множество идентификаторов');

  const before = new Map(oldSlots.map((s) => [s.lessonId, s]));
  const after = new Map(newSlots.map((s) => [s.lessonId, s]));
  const removed = oldSlots.filter((s) => !after.has(s.lessonId));
  const added = newSlots.filter((s) => !before.has(s.lessonId));
  const changed = newSlots.filter((s) => {
    const old = before.get(s.lessonId);
    return old !== undefined && (old.end !== s.end || old.academicHours !== s.academicHours);
  });
  const keptWithMarks = removed.filter((s) => lessonIdsWithMarks.has(s.lessonId));
  return { removed, added, keptWithMarks, changed };
}

/**
 * SCH7: a mid-year change. The rule `ruleId` ends the day before `fromDate`; a copy with
 * `patch` applied (new weekdays, times…) and the id `newRuleId` starts on `fromDate`. Slots
 * before `fromDate` are untouched, so their lessons keep their ids.
 */
export function splitRule(
  schedule: Schedule,
  ruleId: string,
  fromDate: string,
  patch: Partial<Omit<ScheduleRule, 'id' | 'from' | 'to'>>,
  newRuleId: string,
): Schedule {
  const i = schedule.rules.findIndex((r) => r.id === ruleId);
  const rule = schedule.rules[i];
  if (!rule) fail('ruleId', `нет правила ${ruleId}`);
  parseLocalDate(fromDate, 'fromDate');
  if (fromDate <= rule.from || fromDate > rule.to)
    fail('fromDate', 'дата изменения должна быть внутри правила');

  const ended = { ...rule, to: dateOfDayNumber(dayNumber(fromDate) - 1) };
  const next = { ...rule, ...patch, id: newRuleId, from: fromDate, to: rule.to };
  const rules = [...schedule.rules];
  rules.splice(i, 1, ended, next);
  return { ...schedule, rules };
}
