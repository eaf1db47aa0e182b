// @vitest-environment happy-dom
import type { ChildProcess } from 'node:child_process';
import type { ApplicationView } from '@otmetka/shared/api';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../../sync-server/test/helpers.ts';
import { AdminApp } from '../src/screens/admin/AdminApp.tsx';
import { ParentApp } from '../src/screens/parent/ParentApp.tsx';
import { memoryStore, Session } from '../src/sync/session.ts';
import { servePageFrom, startServerProcess, stopServerProcess } from './server-process.ts';

/**
 * The application chain through both UIs against a real sync server: a parent registers a child
 * and applies to subgroup A from the catalogue; the admin moves the application to «обучается»
 * from a date; the roster then lists the child from that date and the parent sees the status.
 */

let server: { url: string; child: ChildProcess } | undefined;
let admin: Session;
let parent: Session;
let enrolledAppId: string | undefined;

beforeAll(async () => {
  server = await startServerProcess('');
  servePageFrom(server.url);
  admin = new Session({ baseUrl: server.url }, memoryStore());
  parent = new Session({ baseUrl: server.url }, memoryStore());
  await admin.signIn('admin', PASSWORD);
  await parent.signIn('parent', PASSWORD);
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

function type(testid: string, value: string) {
  fireEvent.input(screen.getByTestId(testid), { target: { value } });
}

describe('admin and parent: applications', () => {
  it('[EN2][AP8] a parent applies for a new child; the admin enrols from a date with a comment the parent will read; the roster and the parent see it', async () => {
    // Parent: catalogue → apply for subgroup A with a newly registered child.
    render(<ParentApp {...props(parent)} />);
    fireEvent.click(screen.getByTestId('parent-tab-catalog'));
    fireEvent.click(await screen.findByTestId('catalog-apply-sg-a'));
    await screen.findByTestId('child-last-name');
    type('child-last-name', 'Белова');
    type('child-first-name', 'Ника');
    type('child-birth-date', '2016-03-08');
    fireEvent.click(screen.getByTestId('apply-submit'));

    const list = await screen.findByTestId('parent-applications');
    const card = await within(list).findByText('Белова Ника');
    const appId = card
      .closest('[data-testid^="parent-app-"]')!
      .getAttribute('data-testid')!
      .slice('parent-app-'.length);
    expect(screen.getByTestId(`parent-app-status-${appId}`).textContent).toBe('новая');
    enrolledAppId = appId;
    cleanup();

    // Admin: the board → «обучается» from 15 September.
    render(<AdminApp {...props(admin)} />);
    fireEvent.click(screen.getByTestId('admin-tab-applications'));
    const adminCard = await screen.findByTestId(`app-card-${appId}`);
    expect(within(adminCard).getByText('Белова Ника')).toBeTruthy();
    fireEvent.click(screen.getByTestId(`app-open-${appId}`));
    // RU2: the statuses read for a boy and a girl alike.
    const options = [...screen.getByTestId(`app-status-${appId}`).querySelectorAll('option')];
    expect(options.map((o) => o.textContent)).toContain('отчислен(а)');
    fireEvent.change(screen.getByTestId(`app-status-${appId}`), { target: { value: 'обучается' } });
    type(`app-date-${appId}`, '2026-09-15');
    // AP8: the admin is told the comment goes to the family.
    expect(screen.getByTestId(`app-comment-${appId}`).closest('.ap-field')!.textContent).toContain(
      'Его увидит родитель в истории заявки.',
    );
    type(`app-comment-${appId}`, 'по заявлению');
    fireEvent.click(screen.getByTestId(`app-apply-${appId}`));
    // AS3: the board shows what waits for a decision; the learners studying are one choice away.
    await waitFor(() => expect(screen.queryByTestId(`app-card-${appId}`)).toBeNull());
    fireEvent.change(screen.getByTestId('applications-status'), {
      target: { value: 'обучается' },
    });
    await waitFor(() =>
      expect(
        within(screen.getByTestId('applications-column-обучается')).queryByText('Белова Ника'),
      ).not.toBeNull(),
    );

    // Roster of subgroup A: the child from 15.09.2026.
    fireEvent.click(screen.getByTestId('admin-tab-roster'));
    await screen.findByRole('option', { name: /Группа sg-a/ });
    fireEvent.change(screen.getByTestId('roster-subgroup'), { target: { value: 'sg-a' } });
    const row = await screen.findByText('Белова Ника');
    expect(row.closest('tr')!.textContent).toContain('с 15.09.2026');
    cleanup();

    // Parent: the status and its history.
    render(<ParentApp {...props(parent)} />);
    fireEvent.click(screen.getByTestId('parent-tab-applications'));
    await waitFor(() =>
      expect(screen.getByTestId(`parent-app-status-${appId}`).textContent).toBe('обучается'),
    );
    expect(screen.getByTestId(`parent-app-${appId}`).textContent).toContain('по заявлению');
  });

  it('[AS3][AS4] the board opens on the applications waiting for a decision; a studying card shows its date unopened', async () => {
    // The fixture's three learners study from 1 September: nothing of theirs waits.
    render(<AdminApp {...props(admin)} />);
    fireEvent.click(screen.getByTestId('admin-tab-applications'));
    const filter = (await screen.findByTestId('applications-status')) as HTMLSelectElement;
    expect(filter.value).toBe('waiting');
    expect(filter.selectedOptions[0]!.textContent).toMatch(/^Ждут решения \(\d+\)$/);
    expect(screen.getByTestId('applications-column-новая')).toBeTruthy();
    expect(screen.queryByTestId('applications-column-обучается')).toBeNull();
    expect(screen.queryByTestId('app-card-app-kid')).toBeNull();

    fireEvent.change(filter, { target: { value: 'all' } });
    const card = await screen.findByTestId('app-card-app-kid');
    expect(screen.getByTestId('app-date-shown-app-kid').textContent).toBe('Обучается с 01.09.2026');
    expect(within(card).queryByTestId('app-history-app-kid')).toBeNull();
  });

  it('[AS5][EN2] a withdrawal dated on or before the enrolment warns that the learner leaves the journal altogether and waits for a confirmation', async () => {
    // The child the first test enrolled from 15 September (the fixture's learners have no
    // learner records for a status change).
    const enrolled = enrolledAppId!;
    const list = await admin.authorised('/api/admin/applications');
    const { applications } = (await list.json()) as { applications: ApplicationView[] };
    const learnerId = applications.find((a) => a.id === enrolled)!.learnerId;
    render(<AdminApp {...props(admin)} />);
    fireEvent.click(screen.getByTestId('admin-tab-applications'));
    fireEvent.change(await screen.findByTestId('applications-status'), {
      target: { value: 'обучается' },
    });
    fireEvent.click(await screen.findByTestId(`app-open-${enrolled}`));
    fireEvent.change(screen.getByTestId(`app-status-${enrolled}`), {
      target: { value: 'отчислен' },
    });
    // Later than the enrolment (15 September): the interval ends, no warning.
    type(`app-date-${enrolled}`, '2026-10-01');
    expect(screen.queryByTestId(`app-confirm-${enrolled}-warning`)).toBeNull();

    type(`app-date-${enrolled}`, '2026-09-15');
    const warning = await screen.findByTestId(`app-confirm-${enrolled}-warning`);
    expect(warning.textContent).toContain('не появится в журнале совсем');
    expect(warning.textContent).toContain('15.09.2026');
    // The marks already given leave the табель and the diary with the period (AS5).
    expect(warning.textContent).toContain('перестанут показываться в табеле и в дневнике');
    fireEvent.click(screen.getByTestId(`app-apply-${enrolled}`));
    expect(screen.getByTestId(`app-confirm-${enrolled}-error`).textContent).toBe(
      'Подтвердите, что период обучения нужно удалить',
    );
    const roster = await admin.authorised('/api/admin/subgroups/sg-a/roster');
    const before = (await roster.json()) as { entries: { learnerId: string; intervals: [] }[] };
    expect(before.entries.find((e) => e.learnerId === `${learnerId}`)!.intervals).toHaveLength(1);

    // Confirmed: EN2 removes the interval, as before.
    fireEvent.click(screen.getByTestId(`app-confirm-${enrolled}`));
    fireEvent.click(screen.getByTestId(`app-apply-${enrolled}`));
    fireEvent.change(screen.getByTestId('applications-status'), { target: { value: 'отчислен' } });
    await waitFor(() => expect(screen.getByTestId(`app-card-${enrolled}`)).toBeTruthy());
    const after = await admin.authorised('/api/admin/subgroups/sg-a/roster');
    const entries = ((await after.json()) as typeof before).entries;
    expect(entries.find((e) => e.learnerId === `${learnerId}`)?.intervals ?? []).toEqual([]);
  });

  it('[ER4] a status change the server refuses for its date shows the error once, next to the date', async () => {
    const app = enrolledAppId!;
    render(<AdminApp {...props(admin)} />);
    fireEvent.click(screen.getByTestId('admin-tab-applications'));
    fireEvent.change(await screen.findByTestId('applications-status'), {
      target: { value: 'all' },
    });
    fireEvent.click(await screen.findByTestId(`app-open-${app}`));
    fireEvent.change(screen.getByTestId(`app-status-${app}`), { target: { value: 'обучается' } });
    // Past the subgroup's study period (to 31 May 2027).
    type(`app-date-${app}`, '2027-08-01');
    fireEvent.click(screen.getByTestId(`app-apply-${app}`));
    expect((await screen.findByTestId(`app-date-${app}-error`)).textContent).toBe(
      'Дата зачисления вне периода обучения подгруппы (01.09.2026–31.05.2027)',
    );
    expect(screen.queryByTestId(`app-error-${app}`)).toBeNull();
  });

  it('[AS11] a status that moves nobody takes no date; ending a studying learner’s course asks from when', async () => {
    const app = enrolledAppId!; // withdrawn by the test above
    render(<AdminApp {...props(admin)} />);
    fireEvent.click(screen.getByTestId('admin-tab-applications'));
    fireEvent.change(await screen.findByTestId('applications-status'), {
      target: { value: 'all' },
    });
    fireEvent.click(await screen.findByTestId(`app-open-${app}`));
    fireEvent.change(screen.getByTestId(`app-status-${app}`), { target: { value: 'отклонена' } });
    expect(screen.queryByTestId(`app-date-${app}`)).toBeNull();
    fireEvent.click(screen.getByTestId(`app-apply-${app}`));
    await waitFor(async () => {
      const res = await admin.authorised('/api/admin/applications');
      const { applications } = (await res.json()) as { applications: ApplicationView[] };
      const last = applications.find((a) => a.id === app)!.history.at(-1);
      expect(last).toMatchObject({ status: 'отклонена', date: null });
    });

    // A studying card's date is its enrolment start (EN3 would move it to the date sent): a
    // comment alone changes nothing.
    fireEvent.click(await screen.findByTestId('app-open-app-kid'));
    const date = () => (screen.getByTestId('app-date-app-kid') as HTMLInputElement).value;
    await waitFor(() => expect(date()).toBe('2026-09-01'));

    // A studying learner who finishes leaves the journal from a date: the field says so.
    fireEvent.change(screen.getByTestId('app-status-app-kid'), {
      target: { value: 'завершила обучение' },
    });
    const field = screen.getByTestId('app-date-app-kid').closest('.ap-field')!;
    expect(field.textContent).toContain('Завершил(а) обучение с');
    expect(field.textContent).toContain('С этой даты обучающегося не будет в журнале.');
    expect(date()).not.toBe('2026-09-01');
  });
});
