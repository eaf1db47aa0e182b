// @vitest-environment happy-dom

import type { Lesson, Org, Programme, RosterEntry, Schedule } from '@otmetka/shared';
import { lessonId, markId, rosterId, scheduleId } from '@otmetka/shared';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TeacherContext } from '../src/app/context.ts';
import { editsInProgress } from '../src/app/router.ts';
import type { OtmetkaDb } from '../src/db/database.ts';
import { closeDb, openDb } from '../src/db/database.ts';
import { replayDrafts } from '../src/db/drafts.ts';
import type { CatalogView } from '../src/db/queries.ts';
import { EMPTY_CATALOG } from '../src/db/queries.ts';
import { addTopic, deleteTopic, lessonBase, setMark, updateLesson } from '../src/db/repo.ts';
import { LessonScreen } from '../src/screens/journal/LessonScreen.tsx';
import { LessonsMonth } from '../src/screens/journal/LessonsMonth.tsx';
import type { SyncEngine } from '../src/sync/replication.ts';
import { startSync } from '../src/sync/replication.ts';
import { memoryStore, Session } from '../src/sync/session.ts';
import { ORG, PROGRAMME, SUBGROUP, slotOn, TEACHER_USER } from './teacher-fixture.ts';

/**
 * The lesson register on a real local database (fake-indexeddb), rendered in happy-dom. Sync
 * runs against an address where nothing listens: the device is offline, as on a tablet
 * without signal, and every write must still land in IndexedDB.
 */

const org: Org = ORG;
const programme: Programme = PROGRAMME;
const subgroup = SUBGROUP;
const schedule: Schedule = {
  id: scheduleId('sg-1'),
  type: 'schedule',
  orgId: 'org-1',
  subgroupId: 'sg-1',
  rules: [
    {
      id: 'rule-1',
      from: '2026-09-01',
      to: '2027-05-31',
      weekdays: [3],
      start: '15:00',
      end: '16:30',
      academicHours: 2,
      minutesPerHour: 45,
      breakMinutes: 0,
    },
  ],
  exceptions: [],
  holidayRule: 'skip',
};
const catalog: CatalogView = {
  ...EMPTY_CATALOG,
  org,
  programmes: new Map([[programme.id, programme]]),
  subgroups: [subgroup],
  schedules: new Map([[subgroup.id, schedule]]),
  loaded: true,
};

/** The catalog after the admin turned the programme's grades on or off. */
function catalogWithGrades(gradesEnabled: boolean): CatalogView {
  return { ...catalog, programmes: new Map([[programme.id, { ...programme, gradesEnabled }]]) };
}

/** A plan topic of two hours with nothing but its title. */
function topic(title: string) {
  return { section: '', title, hours: 2, form: '', control: '', plannedDate: null };
}

function learner(learnerId: string, name: string, from: string): RosterEntry {
  return {
    id: rosterId('sg-1', learnerId),
    type: 'roster',
    orgId: 'org-1',
    subgroupId: 'sg-1',
    learnerId,
    name,
    intervals: [{ from, to: null }],
    stamps: {},
  };
}

let db: OtmetkaDb | undefined;
let sync: SyncEngine | undefined;
let n = 0;
/** Takes the last rendered lesson screen away, as Back or a link does. */
let unmountScreen = () => {};

afterEach(async () => {
  vi.useRealTimers();
  cleanup();
  localStorage.clear();
  await sync?.stop();
  if (db) await closeDb(db);
  db = undefined;
  sync = undefined;
});

async function renderLesson(date: string, reopen?: OtmetkaDb, view = catalog) {
  if (reopen) return renderScreen(reopen, date, view);
  db = await openDb({
    name: `lesson-screen-${++n}`,
    user: { id: 'teacher-user', orgId: 'org-1' },
    multiInstance: false,
    isOffline: () => true,
  });
  await db.rx.collections.roster.bulkInsert([
    learner('kid-a', 'Андреев Антон', '2026-09-01'),
    learner('kid-b', 'Борисова Белла', '2026-09-01'),
    learner('kid-late', 'Поздняков Пётр', '2026-10-01'),
  ]);
  const session = new Session({ baseUrl: 'http://127.0.0.1:9' }, memoryStore());
  sync = startSync({ db, session, live: false });
  return renderScreen(db, date, view);
}

/** The lesson screen on a database already open (a screen opened again). */
function renderScreen(database: OtmetkaDb, date: string, shown = catalog) {
  const user = TEACHER_USER;
  const view = render(
    <TeacherContext.Provider value={{ db: database, sync: sync!, user }}>
      <LessonScreen subgroup={subgroup} catalog={shown} date={date} start="15:00" />
    </TeacherContext.Provider>,
  );
  unmountScreen = view.unmount;
  return database;
}

/**
 * A lesson as pulled after the server kept it off the schedule (LS5): Thursday 03.09 at 15:00,
 * which the schedule (Wednesdays) does not have. Returns its id.
 */
async function insertOffSchedule(database: OtmetkaDb, fields: Partial<Lesson>): Promise<string> {
  const base = lessonBase(slotOn('2026-09-03'), 'org-1');
  const stamp = { at: 1, dev: 'dev-other', by: 'teacher-user', off: false };
  const stamps = Object.fromEntries(Object.keys(fields).map((f) => [f, stamp]));
  await database.rx.collections.lessons.insert({
    ...base,
    flag: 'off-schedule',
    ...fields,
    stamps,
  });
  return base.id;
}

const storedCode = async (database: OtmetkaDb, date: string, learnerId: string) => {
  const id = markId(lessonId('sg-1', date, '15:00'), learnerId);
  return (await database.rx.collections.marks.findOne(id).exec())?.code;
};

describe('lesson register', () => {
  it('lists only the learners enrolled on the date, and opening it writes nothing', async () => {
    const database = await renderLesson('2026-09-02');
    await screen.findByTestId('mark-kid-a');
    expect(screen.getByTestId('mark-kid-b')).toBeTruthy();
    expect(screen.queryByTestId('mark-kid-late')).toBeNull();
    expect(screen.getByTestId('grade-kid-a')).toBeTruthy();
    expect(await database.rx.collections.lessons.count().exec()).toBe(0);
    expect(await database.rx.collections.marks.count().exec()).toBe(0);
  });

  it('one tap per learner cycles the code and persists it at once, offline', async () => {
    const database = await renderLesson('2026-09-02');
    const button = await screen.findByTestId('mark-kid-a');
    expect(button.getAttribute('data-code')).toBe('none');

    fireEvent.click(button);
    await waitFor(() => expect(button.getAttribute('data-code')).toBe('present'));
    expect(await storedCode(database, '2026-09-02', 'kid-a')).toBe('');

    fireEvent.click(button);
    await waitFor(() => expect(button.getAttribute('data-code')).toBe('Н'));
    expect(await storedCode(database, '2026-09-02', 'kid-a')).toBe('Н');
  });

  it('«Все присутствуют» on a reopened register keeps the saved marks', async () => {
    const database = await renderLesson('2026-09-09');
    await screen.findByTestId('mark-kid-a');
    const slot = slotOn('2026-09-09');
    await setMark(database, slot, 'kid-b', { code: 'Б' });
    await waitFor(() =>
      expect(screen.getByTestId('mark-kid-b').getAttribute('data-code')).toBe('Б'),
    );

    fireEvent.click(screen.getByTestId('mark-all-present'));
    await waitFor(() =>
      expect(screen.getByTestId('mark-kid-a').getAttribute('data-code')).toBe('present'),
    );
    expect(await storedCode(database, '2026-09-09', 'kid-b')).toBe('Б');
    expect(screen.getByTestId('mark-kid-b').getAttribute('data-code')).toBe('Б');
  });

  it('[LS16] a register left and opened again while a tap is being saved steps on from that tap', async () => {
    const database = await renderLesson('2026-09-02');
    const button = await screen.findByTestId('mark-kid-a');
    // Saves take 300 ms, as on a slow tablet; reads stay quick.
    const marks = database.rx.collections.marks.storageInstance;
    const write = marks.bulkWrite.bind(marks);
    marks.bulkWrite = async (rows, context) => {
      await new Promise((resolve) => setTimeout(resolve, 300));
      return write(rows, context);
    };

    fireEvent.click(button);
    unmountScreen();
    renderScreen(database, '2026-09-02');
    await waitFor(() =>
      expect(screen.getByTestId('mark-kid-a').hasAttribute('disabled')).toBe(false),
    );
    expect(await storedCode(database, '2026-09-02', 'kid-a')).toBeUndefined();
    fireEvent.click(screen.getByTestId('mark-kid-a'));

    // ✓ from the first screen's tap, then Н: both taps count, and the last one is saved.
    await waitFor(() =>
      expect(screen.getByTestId('mark-kid-a').getAttribute('data-code')).toBe('Н'),
    );
    expect(await storedCode(database, '2026-09-02', 'kid-a')).toBe('Н');
  });

  it('[LS10] a reopened register takes no tap before its saved marks are shown', async () => {
    const database = await renderLesson('2026-09-02');
    unmountScreen();
    await setMark(database, slotOn('2026-09-09'), 'kid-a', { code: 'Н' });
    // The marks answer after the roster, as they did in Chromium (20–50 ms later at 1× CPU).
    const marks = database.rx.collections.marks.storageInstance;
    const query = marks.query.bind(marks);
    marks.query = async (prepared) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return query(prepared);
    };

    // Every state the register passes through while it opens: a code button the teacher can
    // tap must show the mark saved for that learner, never «—» over it.
    const tappableUnmarked: string[] = [];
    const seen = new MutationObserver(() => {
      const button = document.querySelector<HTMLButtonElement>('[data-testid="mark-kid-a"]');
      if (button && !button.disabled && button.dataset.code === 'none') {
        tappableUnmarked.push(button.textContent ?? '');
      }
    });
    seen.observe(document.body, { subtree: true, childList: true, attributes: true });
    renderScreen(database, '2026-09-09');
    await waitFor(() =>
      expect(screen.getByTestId('mark-kid-a').getAttribute('data-code')).toBe('Н'),
    );
    seen.disconnect();
    expect(tappableUnmarked).toEqual([]);
    expect(screen.getByTestId('mark-kid-a').hasAttribute('disabled')).toBe(false);
  });

  it('[LS10][LS12] a cancelled lesson never shows its status buttons unpressed while it loads, then says why it takes no marks', async () => {
    const first = await renderLesson('2026-09-02');
    await updateLesson(first, slotOn('2026-09-09'), {
      status: 'cancelled',
      statusReason: 'Карантин',
    });
    unmountScreen();
    await sync?.stop();
    await closeDb(first);
    // A reload: the same database opened again, nothing of it in memory.
    const database = await openDb({
      name: first.rx.name,
      user: { id: 'teacher-user', orgId: 'org-1' },
      multiInstance: false,
      isOffline: () => true,
    });
    db = database;
    sync = startSync({
      db: database,
      session: new Session({ baseUrl: 'http://127.0.0.1:9' }, memoryStore()),
      live: false,
    });

    // Each state the screen passes through while it opens, as it was when it was added.
    const unpressed: string[] = [];
    const seen = new MutationObserver((records) => {
      for (const r of records) {
        for (const node of Array.from(r.addedNodes)) {
          if (!(node instanceof HTMLElement)) continue;
          const buttons = node.querySelectorAll('[data-testid^="lesson-status-"][aria-pressed]');
          const pressed = [...buttons].some((b) => b.getAttribute('aria-pressed') === 'true');
          if (buttons.length > 0 && !pressed) unpressed.push(node.textContent ?? '');
        }
      }
    });
    seen.observe(document.body, { subtree: true, childList: true });
    renderScreen(database, '2026-09-09');
    await waitFor(() =>
      expect(screen.getByTestId('lesson-status-cancelled').getAttribute('aria-pressed')).toBe(
        'true',
      ),
    );
    seen.disconnect();
    expect(unpressed).toEqual([]);
    // LS12: the register says why it takes no marks.
    expect(screen.getByTestId('roll-not-held').textContent).toBe(
      'Занятие не проводилось — посещаемость не отмечается. Чтобы отметить, выберите «Проведено».',
    );
  });

  it('[LS10] a lesson kept off the schedule, opened by its date, never says it is missing while it loads', async () => {
    const database = await renderLesson('2026-09-02');
    unmountScreen();
    // As pulled: the server kept Thursday 03.09 off the schedule (LS5), cancelled.
    await insertOffSchedule(database, { status: 'cancelled', statusReason: 'Болезнь педагога' });

    const shown: string[] = [];
    // The records, not the page at callback time: a state may be gone by then.
    const seen = new MutationObserver((records) => {
      for (const r of records) {
        for (const node of Array.from(r.addedNodes)) {
          if (!(node instanceof HTMLElement)) continue;
          const missing = node.matches('[data-testid="lesson-missing"]')
            ? node
            : node.querySelector('[data-testid="lesson-missing"]');
          if (missing) shown.push(missing.textContent ?? '');
        }
      }
    });
    seen.observe(document.body, { subtree: true, childList: true, attributes: true });
    renderScreen(database, '2026-09-03');
    await screen.findByTestId('lesson-status-reason-text');
    seen.disconnect();
    // Shown only as what it is: a cancelled lesson, never «В расписании нет занятия».
    expect(shown).toEqual([]);
    expect(screen.getByTestId('lesson-status-reason-text').textContent).toContain('Болезнь');
  });

  it('[TX1] a remark typed and left by Back without blur is saved; the reopened lesson shows it', async () => {
    const database = await renderLesson('2026-09-16');
    const remark = await screen.findByTestId('lesson-remark');
    fireEvent.input(remark, { target: { value: 'Пришли без формы' } });

    // Back: the screen goes away while the field still has focus (no blur event).
    unmountScreen();
    const id = lessonId('sg-1', '2026-09-16', '15:00');
    await waitFor(async () =>
      expect((await database.rx.collections.lessons.findOne(id).exec())?.remark).toBe(
        'Пришли без формы',
      ),
    );

    await renderLesson('2026-09-16', database);
    await waitFor(() =>
      expect((screen.getByTestId('lesson-remark') as HTMLTextAreaElement).value).toBe(
        'Пришли без формы',
      ),
    );
  });

  it('[TX2] a remark typed just before a reload is written at the next start, though the pagehide save was cut off', async () => {
    const page = await renderLesson('2026-09-16');
    const id = lessonId('sg-1', '2026-09-16', '15:00');
    const remark = await screen.findByTestId('lesson-remark');
    fireEvent.input(remark, { target: { value: 'Пришли без формы' } });

    // A reload 100 ms after typing: pagehide starts the save, then the page is torn down, and
    // nothing it started reaches IndexedDB any more.
    window.dispatchEvent(new Event('pagehide'));
    let cutOff = 0;
    page.rx.collections.lessons.storageInstance.bulkWrite = () => {
      cutOff++;
      return Promise.reject(new Error('the page is gone'));
    };
    const saveFailed = vi.spyOn(console, 'error').mockImplementation(() => {});
    unmountScreen();
    await waitFor(() => expect(cutOff).toBe(1));
    await sync?.stop();
    sync = undefined;
    await closeDb(page);
    saveFailed.mockRestore();

    // The next start: the same database, opened again, holds no remark until the drafts are in.
    const next = await openDb({
      name: page.rx.name,
      user: { id: 'teacher-user', orgId: 'org-1' },
      multiInstance: false,
      isOffline: () => true,
    });
    db = next;
    expect(await next.rx.collections.lessons.findOne(id).exec()).toBeNull();
    expect(await replayDrafts(next)).toBe(1);

    const lesson = (await next.rx.collections.lessons.findOne(id).exec())!.toJSON();
    expect(lesson.remark).toBe('Пришли без формы');
    // A normal edit of the teacher's, waiting to be pushed.
    expect(lesson.stamps.remark).toMatchObject({ by: 'teacher-user', dev: next.deviceId });
    expect(next.pending.has(id)).toBe(true);
    // Written once: the next start has nothing to write.
    expect(await replayDrafts(next)).toBe(0);
  });

  it('[LS1] «Отменено» asks for the reason first; status and reason are saved in one write', async () => {
    const database = await renderLesson('2026-09-23');
    const id = lessonId('sg-1', '2026-09-23', '15:00');
    const stored = () => database.rx.collections.lessons.findOne(id).exec();

    fireEvent.click(await screen.findByTestId('lesson-status-cancelled'));
    const confirm = await screen.findByTestId('lesson-status-confirm');
    expect((confirm as HTMLButtonElement).disabled).toBe(true);

    const reason = screen.getByTestId('lesson-status-reason');
    fireEvent.input(reason, { target: { value: '   ' } });
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    fireEvent.input(reason, { target: { value: 'Болезнь педагога ' } });
    // Longer than a text field's save pause: nothing is written before the teacher confirms.
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect(await stored()).toBeNull();

    fireEvent.click(confirm);
    await waitFor(async () => expect((await stored())?.status).toBe('cancelled'));
    const lesson = (await stored())!;
    expect(lesson.statusReason).toBe('Болезнь педагога');
    expect(lesson.stamps.statusReason).toEqual(lesson.stamps.status);
    await waitFor(() => expect(screen.queryByTestId('lesson-status-dialog')).toBeNull());
    expect(screen.getByTestId('lesson-status-reason-text').textContent).toContain(
      'Болезнь педагога',
    );
    expect((screen.getByTestId('mark-all-present') as HTMLButtonElement).disabled).toBe(true);
  });

  it('[LS1] cancelling the reason dialog leaves the status as it was', async () => {
    const database = await renderLesson('2026-09-30');
    const id = lessonId('sg-1', '2026-09-30', '15:00');
    const stored = () => database.rx.collections.lessons.findOne(id).exec();
    fireEvent.click(await screen.findByTestId('lesson-status-held'));
    await waitFor(async () => expect((await stored())?.status).toBe('held'));

    fireEvent.click(screen.getByTestId('lesson-status-moved'));
    fireEvent.input(await screen.findByTestId('lesson-status-reason'), {
      target: { value: 'Концерт' },
    });
    fireEvent.click(screen.getByTestId('lesson-status-cancel'));
    await waitFor(() => expect(screen.queryByTestId('lesson-status-dialog')).toBeNull());

    await new Promise((resolve) => setTimeout(resolve, 800));
    const lesson = await stored();
    expect(lesson?.status).toBe('held');
    expect(lesson?.statusReason).toBe('');
    expect(screen.getByTestId('lesson-status-held').getAttribute('aria-pressed')).toBe('true');
    expect((screen.getByTestId('mark-all-present') as HTMLButtonElement).disabled).toBe(false);
  });

  it('[UP1] a reason typed in the dialog holds back the app update until the dialog closes', async () => {
    await renderLesson('2026-10-07');
    fireEvent.click(await screen.findByTestId('lesson-status-cancelled'));
    fireEvent.input(await screen.findByTestId('lesson-status-reason'), {
      target: { value: 'Карантин' },
    });
    await waitFor(() => expect(editsInProgress.value).toBe(1));

    fireEvent.click(screen.getByTestId('lesson-status-cancel'));
    await waitFor(() => expect(editsInProgress.value).toBe(0));
  });

  it('[LS3] the reason dialog gives the focus back to the status button it was opened from', async () => {
    const database = await renderLesson('2026-10-14');
    const id = lessonId('sg-1', '2026-10-14', '15:00');
    const cancelled = await screen.findByTestId('lesson-status-cancelled');

    // Escape: nothing written, and the keyboard is where it was.
    cancelled.focus();
    fireEvent.click(cancelled);
    const reason = await screen.findByTestId('lesson-status-reason');
    await waitFor(() => expect(document.activeElement).toBe(reason));
    fireEvent.keyDown(reason, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('lesson-status-dialog')).toBeNull());
    expect(document.activeElement).toBe(cancelled);

    // Saved: the same.
    fireEvent.click(cancelled);
    fireEvent.input(await screen.findByTestId('lesson-status-reason'), {
      target: { value: 'Карантин' },
    });
    fireEvent.click(screen.getByTestId('lesson-status-confirm'));
    await waitFor(() => expect(screen.queryByTestId('lesson-status-dialog')).toBeNull());
    expect(document.activeElement).toBe(screen.getByTestId('lesson-status-cancelled'));
    const lesson = await database.rx.collections.lessons.findOne(id).exec();
    expect(lesson?.statusReason).toBe('Карантин');
  });

  it('[LS1] «Проведено» after «Отменено» clears the cancellation reason in the same edit', async () => {
    const database = await renderLesson('2026-10-07');
    const id = lessonId('sg-1', '2026-10-07', '15:00');
    const stored = () => database.rx.collections.lessons.findOne(id).exec();
    fireEvent.click(await screen.findByTestId('lesson-status-cancelled'));
    fireEvent.input(await screen.findByTestId('lesson-status-reason'), {
      target: { value: 'Болезнь педагога' },
    });
    fireEvent.click(screen.getByTestId('lesson-status-confirm'));
    await waitFor(async () => expect((await stored())?.statusReason).toBe('Болезнь педагога'));

    fireEvent.click(screen.getByTestId('lesson-status-held'));
    await waitFor(async () => expect((await stored())?.status).toBe('held'));
    const lesson = (await stored())!;
    expect(lesson.statusReason).toBe('');
    expect(lesson.stamps.statusReason).toEqual(lesson.stamps.status);
    expect(screen.queryByTestId('lesson-status-reason-text')).toBeNull();
  });

  it('[LS2] a lesson after today in the organisation’s zone takes no attendance; its plan stays open', async () => {
    // 20:30 UTC on 15 September is 01:30 on Wednesday the 16th in Orenburg (UTC+5).
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.parse('2026-09-15T20:30:00Z'));

    const database = await renderLesson('2026-09-23');
    const mark = await screen.findByTestId('mark-kid-a');
    expect(screen.getByTestId('roll-upcoming').textContent).toBe(
      'Занятие ещё не прошло — посещаемость отмечается в день занятия.',
    );
    expect((mark as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('mark-all-present') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('grade-kid-a') as HTMLSelectElement).disabled).toBe(true);
    fireEvent.click(mark);

    // Planning the lesson is allowed: the topic and the homework are saved.
    fireEvent.input(screen.getByTestId('lesson-topic-text'), {
      target: { value: 'Зубчатые передачи' },
    });
    fireEvent.blur(screen.getByTestId('lesson-topic-text'));
    fireEvent.input(screen.getByTestId('lesson-homework'), { target: { value: 'Принести набор' } });
    fireEvent.blur(screen.getByTestId('lesson-homework'));
    const id = lessonId('sg-1', '2026-09-23', '15:00');
    await waitFor(async () =>
      expect((await database.rx.collections.lessons.findOne(id).exec())?.homework).toBe(
        'Принести набор',
      ),
    );
    expect((await database.rx.collections.lessons.findOne(id).exec())?.topicTitle).toBe(
      'Зубчатые передачи',
    );
    expect(await database.rx.collections.marks.count().exec()).toBe(0);
  });

  it('[LS2] a lesson of tomorrow left open opens for attendance at midnight in the organisation’s zone', async () => {
    // 18:59:58.5 UTC on 15 September is 23:59:58.5 in Orenburg: the 16th begins in 1.5 s.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.parse('2026-09-15T18:59:58.500Z'));

    await renderLesson('2026-09-16');
    const mark = (await screen.findByTestId('mark-kid-a')) as HTMLButtonElement;
    expect(screen.getByTestId('roll-upcoming')).toBeTruthy();
    expect(mark.disabled).toBe(true);

    // Nothing re-renders the screen: only the date changing may open the roll.
    await waitFor(() => expect(screen.queryByTestId('roll-upcoming')).toBeNull(), {
      timeout: 5000,
    });
    expect(mark.disabled).toBe(false);
  });

  it('[LS2] the lesson of today in the organisation’s zone takes attendance while UTC is a day behind', async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.parse('2026-09-15T20:30:00Z'));

    const database = await renderLesson('2026-09-16');
    const mark = await screen.findByTestId('mark-kid-a');
    expect(screen.queryByTestId('roll-upcoming')).toBeNull();
    fireEvent.click(mark);
    await waitFor(() => expect(mark.getAttribute('data-code')).toBe('present'));
    expect(await storedCode(database, '2026-09-16', 'kid-a')).toBe('');
  });
});

describe('a closed month', () => {
  it('[LK6] the lesson says who closed its month: the automatic lock with its date, or the admin', async () => {
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    vi.setSystemTime(Date.parse('2026-11-15T08:00:00Z'));
    const auto: CatalogView = { ...catalog, org: { ...org, lockDay: 10 } };
    const database = await renderLesson('2026-09-02', undefined, auto);
    const banner = await screen.findByTestId('lesson-locked');
    expect(banner.textContent).toBe(
      'Сентябрь 2026 закрыт автоматически с 10.10.2026: изменения сервер не примет. Для правки попросите администратора открыть месяц.',
    );

    unmountScreen();
    const lock = {
      id: 'lock:sg-1:2026-09',
      type: 'lock' as const,
      orgId: 'org-1',
      subgroupId: 'sg-1',
      month: '2026-09',
      locked: true,
      reason: '',
      at: 1,
      by: 'admin-user',
    };
    renderScreen(database, '2026-09-02', { ...catalog, locks: [lock] });
    expect((await screen.findByTestId('lesson-locked')).textContent).toMatch(
      /^Сентябрь 2026 закрыт администратором: /,
    );
  });
});

describe('a programme without grades', () => {
  it('[GR1] the lesson screen offers no grade, and a code tapped keeps the grade stored earlier', async () => {
    const database = await renderLesson('2026-09-02', undefined, catalogWithGrades(false));
    await setMark(database, slotOn('2026-09-02'), 'kid-a', { code: '', grade: '5' });
    const button = await screen.findByTestId('mark-kid-a');
    await waitFor(() => expect(button.getAttribute('data-code')).toBe('present'));
    expect(screen.queryByTestId('grade-kid-a')).toBeNull();
    expect(screen.getByTestId('roll').textContent).not.toMatch(/оценк|\b5\b/i);

    fireEvent.click(button);
    await waitFor(() => expect(button.getAttribute('data-code')).toBe('Н'));
    const id = markId(lessonId('sg-1', '2026-09-02', '15:00'), 'kid-a');
    expect((await database.rx.collections.marks.findOne(id).exec())?.grade).toBe('5');
  });
});

/** The catalog after the admin added these exceptions to the schedule. */
function withExceptions(exceptions: Schedule['exceptions']): CatalogView {
  return { ...catalog, schedules: new Map([[subgroup.id, { ...schedule, exceptions }]]) };
}

/** The admin's move of the Wednesday lesson of `date` at 15:00, «Зал занят». */
function moveOf(date: string, toDate: string, toStart = '10:00') {
  return {
    kind: 'move' as const,
    date,
    start: '15:00',
    toDate,
    toStart,
    toEnd: '11:30',
    reason: 'Зал занят',
  };
}

const quarantine = {
  kind: 'cancel' as const,
  date: '2026-09-02',
  start: '15:00',
  reason: 'Карантин',
};

/** The lesson screen or a month on a database already open, with `shown` as the catalog. */
function renderWith(database: OtmetkaDb, shown: CatalogView, screenOf: 'lesson' | 'month') {
  render(
    <TeacherContext.Provider value={{ db: database, sync: sync!, user: TEACHER_USER }}>
      {screenOf === 'lesson' ? (
        <LessonScreen subgroup={subgroup} catalog={shown} date="2026-09-02" start="15:00" />
      ) : (
        <LessonsMonth subgroup={subgroup} catalog={shown} month="2026-09" />
      )}
    </TeacherContext.Provider>,
  );
}

describe('a lesson not in the schedule', () => {
  it('[LS6] a lesson the admin moved says where it went, with a link to it', async () => {
    const database = await renderLesson('2026-09-09');
    unmountScreen();
    renderWith(database, withExceptions([moveOf('2026-09-02', '2026-09-04')]), 'lesson');
    const missing = await screen.findByTestId('lesson-missing');
    expect(missing.textContent).toBe(
      'Занятие 02.09.2026 в 15:00 перенесено в расписании на 04.09.2026 в 10:00.',
    );
    expect(screen.getByTestId('lesson-moved-to').getAttribute('href')).toBe(
      '#/g/sg-1/lesson/2026-09-04/1000',
    );
  });

  it('[LS17] a lesson the admin cancelled says so, with the reason', async () => {
    const database = await renderLesson('2026-09-09');
    unmountScreen();
    renderWith(database, withExceptions([quarantine]), 'lesson');
    expect((await screen.findByTestId('lesson-missing')).textContent).toBe(
      'Занятие 02.09.2026 в 15:00 отменено в расписании: Карантин.',
    );
  });
});

describe('month grid', () => {
  it('[LS17] the month lists the lessons the admin cancelled or moved away, a move linking to its new date', async () => {
    const database = await renderLesson('2026-09-09');
    unmountScreen();
    renderWith(database, withExceptions([quarantine, moveOf('2026-09-16', '2026-10-01')]), 'month');
    const list = await screen.findByTestId('month-taken');
    const row = (id: string) =>
      [...screen.getByTestId(id).querySelectorAll('span')].map((span) => span.textContent);
    expect(row('month-taken-2026-09-02-1500')).toEqual([
      '02.09.2026 15:00–16:30',
      'Карантин',
      'отменено',
    ]);
    expect(row('month-taken-2026-09-16-1500')).toEqual([
      '16.09.2026 15:00–16:30',
      'Зал занят',
      'перенесено на 01.10.2026 в 10:00',
    ]);
    expect(list.querySelector('a')?.getAttribute('href')).toBe('#/g/sg-1/lesson/2026-10-01/1000');
    expect(screen.queryByTestId('grid-date-2026-09-02-1500')).toBeNull();
  });

  it('[LS17] a lesson the admin moved into the month says from where', async () => {
    const database = await renderLesson('2026-09-09');
    unmountScreen();
    renderWith(database, withExceptions([moveOf('2026-09-16', '2026-09-18')]), 'month');
    const row = await screen.findByTestId('lesson-open-2026-09-18-1000');
    expect(row.querySelector('.status')?.textContent).toBe('по плану · перенесено с 16.09.2026');
  });

  it('[LS4] a moved lesson’s column shows no marks, with its status and reason on the date', async () => {
    const database = await renderLesson('2026-09-02');
    unmountScreen();
    await setMark(database, slotOn('2026-09-02'), 'kid-a', { code: 'Н' });
    await setMark(database, slotOn('2026-09-09'), 'kid-a', { code: 'Б' });
    await updateLesson(database, slotOn('2026-09-09'), {
      status: 'moved',
      statusReason: 'Выставка',
    });

    render(
      <TeacherContext.Provider value={{ db: database, sync: sync!, user: TEACHER_USER }}>
        <LessonsMonth subgroup={subgroup} catalog={catalog} month="2026-09" />
      </TeacherContext.Provider>,
    );
    const held = await screen.findByTestId('grid-cell-kid-a-2026-09-02');
    await waitFor(() => expect(held.textContent).toBe('Н'));
    expect(screen.getByTestId('grid-cell-kid-a-2026-09-09').textContent).toBe('—');
    const date = screen.getByTestId('grid-date-2026-09-09-1500');
    expect(date.getAttribute('title')).toBe('перенесено: Выставка');
    // The mark stays stored: held again, the lesson shows it.
    await updateLesson(database, slotOn('2026-09-09'), { status: 'held', statusReason: '' });
    await waitFor(() =>
      expect(screen.getByTestId('grid-cell-kid-a-2026-09-09').textContent).toBe('Б'),
    );
  });
  it('[LS9] a month just opened never shows the previous month’s lessons or marks', async () => {
    const database = await renderLesson('2026-09-02');
    unmountScreen();
    await setMark(database, slotOn('2026-09-02'), 'kid-a', { code: 'Н' });
    await setMark(database, slotOn('2026-10-07'), 'kid-a', { code: 'Б' });
    const month = (shown: string) => (
      <TeacherContext.Provider value={{ db: database, sync: sync!, user: TEACHER_USER }}>
        <LessonsMonth subgroup={subgroup} catalog={catalog} month={shown} />
      </TeacherContext.Provider>
    );
    const { rerender } = render(month('2026-09'));
    const cell = await screen.findByTestId('grid-cell-kid-a-2026-09-02');
    await waitFor(() => expect(cell.textContent).toBe('Н'));

    // «›»: October at once, before its queries have answered. September's lesson is no
    // October lesson kept off the schedule (LS5), and its mark is no October mark.
    rerender(month('2026-10'));
    const shownDates = () =>
      screen.getAllByTestId(/^(grid-date|lesson-open)-/).map((el) => el.dataset.testid);
    expect(shownDates().filter((id) => id?.includes('2026-09-'))).toEqual([]);
    expect(screen.queryByText('Н')).toBeNull();
    await waitFor(() =>
      expect(screen.getByTestId('grid-cell-kid-a-2026-10-07').textContent).toBe('Б'),
    );
    expect(shownDates().filter((id) => id?.includes('2026-09-'))).toEqual([]);
  });

  it('[GR1] a programme without grades shows none in the grid; turned on again, the stored grades show', async () => {
    const database = await renderLesson('2026-09-02');
    unmountScreen();
    await setMark(database, slotOn('2026-09-02'), 'kid-a', { code: '', grade: '5' });
    const grid = (view: CatalogView) => (
      <TeacherContext.Provider value={{ db: database, sync: sync!, user: TEACHER_USER }}>
        <LessonsMonth subgroup={subgroup} catalog={view} month="2026-09" />
      </TeacherContext.Provider>
    );

    const { rerender } = render(grid(catalogWithGrades(false)));
    const cell = await screen.findByTestId('grid-cell-kid-a-2026-09-02');
    await waitFor(() => expect(cell.textContent).toBe('✓'));

    rerender(grid(catalogWithGrades(true)));
    await waitFor(() =>
      expect(screen.getByTestId('grid-cell-kid-a-2026-09-02').textContent).toBe('✓ 5'),
    );
  });

  it('[LS5] a lesson the server kept off the schedule shows in the month with its marks', async () => {
    const database = await renderLesson('2026-09-02');
    unmountScreen();
    // As pulled: the admin's schedule edit removed Thursday 03.09 after its marks were taken,
    // and the server kept the lesson, flagged (the schedule has Wednesdays only).
    const id = await insertOffSchedule(database, { status: 'held', topicTitle: 'Сборка модели' });
    const stamp = { at: 1, dev: 'dev-other', by: 'teacher-user', off: false };
    await database.rx.collections.marks.insert({
      id: markId(id, 'kid-b'),
      type: 'mark',
      orgId: 'org-1',
      subgroupId: 'sg-1',
      lessonId: id,
      learnerId: 'kid-b',
      date: '2026-09-03',
      code: 'Н',
      grade: null,
      note: '',
      stamps: { code: stamp },
    });

    render(
      <TeacherContext.Provider value={{ db: database, sync: sync!, user: TEACHER_USER }}>
        <LessonsMonth subgroup={subgroup} catalog={catalog} month="2026-09" />
      </TeacherContext.Provider>,
    );
    const cell = await screen.findByTestId('grid-cell-kid-b-2026-09-03');
    await waitFor(() => expect(cell.textContent).toBe('Н'));
    const date = screen.getByTestId('grid-date-2026-09-03-1500');
    expect(date.getAttribute('title')).toContain('Вне расписания');
    // In its date's place, between the Wednesdays around it.
    const dates = screen
      .getAllByTestId(/^grid-date-/)
      .map((el) => el.getAttribute('data-testid')?.slice('grid-date-'.length));
    expect(dates.slice(0, 3)).toEqual(['2026-09-02-1500', '2026-09-03-1500', '2026-09-09-1500']);
    const row = screen.getByTestId('lesson-open-2026-09-03-1500');
    expect(row.textContent).toContain('Сборка модели');
    expect(row.textContent).toContain('вне расписания');
  });

  it('[TP2] the topic picker offers the next unused topic in plan order and numbers topics by their place in the plan', async () => {
    const database = await renderLesson('2026-09-09');
    const first = await addTopic(database, 'sg-1', topic('Введение'), 1);
    const second = await addTopic(database, 'sg-1', topic('Кирпичики'), 2);
    await addTopic(database, 'sg-1', topic('Пластины'), 3);
    await deleteTopic(database, second);
    await updateLesson(database, slotOn('2026-09-02'), {
      topicId: first.id,
      topicTitle: first.title,
    });

    const next = await screen.findByTestId('lesson-topic-next');
    await waitFor(() => expect(next.textContent).toBe('Следующая по плану: Пластины'));
    const options = [...screen.getByTestId('lesson-topic-select').querySelectorAll('option')];
    expect(options.map((o) => o.textContent)).toEqual([
      '— не выбрана —',
      '➜ 2. Пластины',
      '✓ 1. Введение',
    ]);
  });

  it('[TP2] the topic of a lesson that did not take place is offered again as the next one', async () => {
    const database = await renderLesson('2026-09-09');
    const first = await addTopic(database, 'sg-1', topic('Введение'), 1);
    await addTopic(database, 'sg-1', topic('Кирпичики'), 2);
    // The lesson of 2 September got the first topic, then was cancelled: it was never taught.
    await updateLesson(database, slotOn('2026-09-02'), {
      topicId: first.id,
      topicTitle: first.title,
    });
    const next = await screen.findByTestId('lesson-topic-next');
    await waitFor(() => expect(next.textContent).toBe('Следующая по плану: Кирпичики'));
    await updateLesson(database, slotOn('2026-09-02'), {
      status: 'cancelled',
      statusReason: 'Карантин',
    });

    await waitFor(() =>
      expect(screen.getByTestId('lesson-topic-next').textContent).toBe(
        'Следующая по плану: Введение',
      ),
    );
    const options = [...screen.getByTestId('lesson-topic-select').querySelectorAll('option')];
    expect(options.map((o) => o.textContent)).toEqual([
      '— не выбрана —',
      '➜ 1. Введение',
      '2. Кирпичики',
    ]);
  });
});
