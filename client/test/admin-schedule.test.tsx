// @vitest-environment happy-dom
import type { ChildProcess } from 'node:child_process';
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../../sync-server/test/helpers.ts';
import { plural } from '../src/app/plural.ts';
import { AdminApp } from '../src/screens/admin/AdminApp.tsx';
import { memoryStore, Session } from '../src/sync/session.ts';
import { servePageFrom, startServerProcess, stopServerProcess } from './server-process.ts';

/**
 * The schedule editor against a real sync server: a weekday added to subgroup B's rule is
 * previewed (the year by month, 4 November marked as a holiday, the slots it adds) and saved.
 */

let server: { url: string; child: ChildProcess } | undefined;
let admin: Session;

beforeAll(async () => {
  server = await startServerProcess('');
  servePageFrom(server.url);
  admin = new Session({ baseUrl: server.url }, memoryStore());
  await admin.signIn('admin', PASSWORD);
});

afterAll(async () => {
  await stopServerProcess(server?.child);
});

afterEach(() => cleanup());

function props(session: Session) {
  return {
    session: {
      user: session.user!,
      fetchApi: (p: string, i?: RequestInit) => session.authorised(p, i),
    },
  };
}

/** The admin's schedule tab on the subgroup `id`, once its rules are shown. */
async function openSchedule(id: string): Promise<void> {
  render(<AdminApp {...props(admin)} />);
  fireEvent.click(screen.getByTestId('admin-tab-schedule'));
  // The picker opens the first subgroup on load: wait for the list, then pick.
  await screen.findByRole('option', { name: new RegExp(`Группа ${id}`) });
  fireEvent.change(screen.getByTestId('schedule-subgroup'), { target: { value: id } });
  await screen.findByTestId('schedule-rule-0');
}

describe('admin: schedule editor', () => {
  it('[SCH3] previews the year with holidays marked and the impact, then saves', async () => {
    await openSchedule('sg-b');
    expect(screen.getByTestId('schedule-save').hasAttribute('disabled')).toBe(true);

    fireEvent.click(screen.getByTestId('schedule-rule-0-day-5'));
    fireEvent.click(screen.getByTestId('schedule-preview'));

    await screen.findByTestId('schedule-preview-result');
    expect(Number(screen.getByTestId('schedule-impact-added').textContent)).toBeGreaterThan(30);
    expect(screen.getByTestId('schedule-impact-removed').textContent).toBe('0');
    expect(screen.getByTestId('schedule-day-2026-11-04').getAttribute('data-holiday')).toBe('true');
    expect(screen.getByTestId('schedule-month-2026-09')).toBeTruthy();

    fireEvent.click(screen.getByTestId('schedule-save'));
    await screen.findByTestId('schedule-saved');
    const response = await admin.authorised('/api/admin/subgroups/sg-b/schedule', {
      cache: 'no-store',
    });
    const stored = (await response.json()) as {
      schedule: { rules: { weekdays: number[] }[] };
    };
    // A mid-year change may be split at today by the server (SCH7); some rule now has Friday.
    expect(stored.schedule.rules.map((r) => r.weekdays)).toContainEqual([1, 3, 5]);
  });

  it('[ER3][ER4] a rule refused by the request schema shows its error once, next to that rule', async () => {
    await openSchedule('sg-b');

    // No weekday left: zod names the field `rules.0.weekdays`, the form looks up `rules[0]…`.
    for (const day of [1, 2, 3, 4, 5, 6, 7]) {
      const button = screen.getByTestId(`schedule-rule-0-day-${day}`);
      if (button.getAttribute('aria-pressed') === 'true') fireEvent.click(button);
    }
    fireEvent.click(screen.getByTestId('schedule-preview'));

    const error = await screen.findByTestId('schedule-rule-0-weekdays-error');
    expect(error.textContent).toBe('Нужен хотя бы один элемент');
    // ER4: shown once, by its rule.
    expect(screen.queryByTestId('schedule-error')).toBeNull();
  });

  it('[RU1] each month of the preview is titled «Сентябрь 2026 · 9 занятий»: the month capitalised, the noun agreeing with the count', async () => {
    await openSchedule('sg-b');
    fireEvent.click(screen.getByTestId('schedule-preview'));
    await screen.findByTestId('schedule-preview-result');

    const titles = [
      ...document.querySelectorAll('[data-testid^="schedule-month-"] .ap-month__title'),
    ].map((el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim());
    expect(titles[0]).toMatch(/^Сентябрь 2026 · /);
    expect(titles.length).toBeGreaterThanOrEqual(9);
    for (const title of titles) {
      const [, count, noun] = /^[А-ЯЁ][а-яё]+ \d{4} · (\d+) (\S+)$/.exec(title) ?? [];
      expect(count, title).toBeDefined();
      expect(noun, title).toBe(plural(Number(count), ['занятие', 'занятия', 'занятий']));
    }
  });
});

describe('admin: subgroup form', () => {
  it('[SCH11] the preview names the lessons that keep their date but end at another time', async () => {
    await openSchedule('sg-a');

    // 40-minute academic hours: every lesson of the rule ends 10 minutes earlier.
    fireEvent.input(screen.getByTestId('schedule-rule-0-minutes'), { target: { value: '40' } });
    fireEvent.click(screen.getByTestId('schedule-preview'));

    const changed = await screen.findByTestId('schedule-impact-changed');
    expect(changed.textContent).toMatch(
      /^Изменятся время окончания или часы: \d+ заняти(е|я|й), с \d\d\.\d\d\.2026 по \d\d\.\d\d\.2027$/,
    );
    expect(screen.getByTestId('schedule-impact-added').textContent).toBe('0');
    expect(screen.getByTestId('schedule-impact-removed').textContent).toBe('0');
    expect(screen.queryByTestId('schedule-impact-none')).toBeNull();
  });

  it('[LK9] a change that touches a closed month shows its dates and the lock, and cannot be saved', async () => {
    const lock = (locked: boolean) =>
      admin.authorised('/api/admin/locks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          subgroupId: 'sg-a',
          month: '2027-03',
          locked,
          reason: locked ? '' : 'Проверка',
        }),
      });
    expect((await lock(true)).status).toBe(200);
    try {
      await openSchedule('sg-a');

      fireEvent.input(screen.getByTestId('schedule-rule-0-minutes'), { target: { value: '40' } });
      fireEvent.click(screen.getByTestId('schedule-preview'));

      await screen.findByTestId('schedule-preview-result');
      expect(screen.getByTestId('schedule-locked').textContent).toMatch(
        /^Месяц «март 2027» закрыт: новое расписание .+ откройте этот месяц/,
      );
      expect(screen.getByTestId('schedule-save').hasAttribute('disabled')).toBe(true);
    } finally {
      expect((await lock(false)).status).toBe(200);
    }
  });

  it('[SCH10] a study period that would cut the schedule is refused next to the period field, saying which rule and what to do', async () => {
    render(<AdminApp {...props(admin)} />);
    fireEvent.click(screen.getByTestId('admin-tab-subgroups'));
    fireEvent.click(await screen.findByTestId('subgroup-edit-sg-a'));
    await screen.findByRole('option', { name: 'Робототехника' });

    fireEvent.input(screen.getByTestId('subgroup-period-to'), { target: { value: '2027-03-31' } });
    fireEvent.click(screen.getByTestId('subgroup-save'));

    const error = await screen.findByTestId('subgroup-period-to-error');
    expect(error.textContent).toMatch(
      /^Расписание идёт дольше: правило «Пн, Ср 15:00–16:30» идёт до 31\.05\.2027\. Сначала измените расписание во вкладке «Расписание», чтобы оно кончалось не позже 31\.03\.2027/,
    );
    expect(screen.getByTestId('subgroup-form').textContent).not.toMatch(/rules|periodTo/);
    // The form stays open with what was typed; nothing was stored.
    expect((screen.getByTestId('subgroup-period-to') as HTMLInputElement).value).toBe('2027-03-31');
    const response = await admin.authorised('/api/admin/subgroups', { cache: 'no-store' });
    const { subgroups } = (await response.json()) as {
      subgroups: { id: string; periodTo: string }[];
    };
    expect(subgroups.find((s) => s.id === 'sg-a')?.periodTo).toBe('2027-05-31');
  });

  it('[AS14] a cancellation or a move starts at the lessons’ one time; an added lesson, at none', async () => {
    await openSchedule('sg-a');
    const value = (testid: string) => (screen.getByTestId(testid) as HTMLInputElement).value;

    // sg-a meets at 15:00 only.
    fireEvent.click(screen.getByTestId('schedule-exception-add-cancel'));
    fireEvent.click(screen.getByTestId('schedule-exception-add-move'));
    fireEvent.click(screen.getByTestId('schedule-exception-add-add'));
    expect(value('schedule-exception-0-start')).toBe('15:00');
    expect(value('schedule-exception-1-start')).toBe('15:00');
    expect(value('schedule-exception-2-start')).toBe('');
  });

  it('[AS8][AS9][SCH13] a move fills its end from the lesson’s length, an added lesson from its hours; a move wants a reason; the preview marks both dates', async () => {
    await openSchedule('sg-a');
    const value = (testid: string) => (screen.getByTestId(testid) as HTMLInputElement).value;
    const type = (testid: string, v: string) =>
      fireEvent.input(screen.getByTestId(testid), { target: { value: v } });

    // sg-a: Mondays and Wednesdays 15:00–16:30. Monday 7 September moves to Tuesday 10:00.
    fireEvent.click(screen.getByTestId('schedule-exception-add-move'));
    type('schedule-exception-0-date', '2026-09-07');
    type('schedule-exception-0-start', '15:00');
    type('schedule-exception-0-toDate', '2026-09-08');
    type('schedule-exception-0-toStart', '10:00');
    expect(value('schedule-exception-0-end')).toBe('11:30');

    // An added lesson of 2 hours of 45 minutes (the rule's, no break) on Saturday.
    fireEvent.click(screen.getByTestId('schedule-exception-add-add'));
    type('schedule-exception-1-date', '2026-09-12');
    type('schedule-exception-1-start', '12:00');
    type('schedule-exception-1-academicHours', '2');
    expect(value('schedule-exception-1-end')).toBe('13:30');

    fireEvent.click(screen.getByTestId('schedule-exception-add-cancel'));
    type('schedule-exception-2-date', '2026-09-09');
    type('schedule-exception-2-start', '15:00');
    type('schedule-exception-2-reason', 'Выставка');

    // No reason for the move: the server names the field, shown next to it.
    fireEvent.click(screen.getByTestId('schedule-preview'));
    expect((await screen.findByTestId('schedule-exception-0-reason-error')).textContent).toBe(
      'Укажите причину переноса занятия 07.09.2026 в 15:00',
    );

    type('schedule-exception-0-reason', 'Конкурс');
    fireEvent.click(screen.getByTestId('schedule-preview'));
    await screen.findByTestId('schedule-preview-result');
    expect(screen.getByTestId('schedule-moved-2026-09-08').textContent).toBe('↪ 10:00');
    expect(screen.getByTestId('schedule-day-2026-09-08').title).toContain(
      'перенос с 07.09.2026 15:00',
    );
    expect(screen.getByTestId('schedule-off-2026-09-07').textContent).toBe('15:00 перенос');
    expect(screen.getByTestId('schedule-day-2026-09-07').title).toContain(
      '15:00: перенесено на 08.09.2026',
    );
    expect(screen.getByTestId('schedule-off-2026-09-09').textContent).toBe('15:00 отм.');
  });
});
