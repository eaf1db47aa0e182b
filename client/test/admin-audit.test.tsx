// @vitest-environment happy-dom
import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lessonId, markId } from '@otmetka/shared';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { markDoc, PASSWORD, stamp } from '../../sync-server/test/helpers.ts';
import { AdminApp } from '../src/screens/admin/AdminApp.tsx';
import { memoryStore, Session } from '../src/sync/session.ts';
import { servePageFrom, startServerProcess, stopServerProcess } from './server-process.ts';

/**
 * The history of a mark as the admin reads it, against a real sync server: fields and values in
 * the journal's words, and an edit whose audit write was lost shown from the journal's own
 * record of it (AU1), said to be recovered.
 */

// node:path, not URL: happy-dom's URL replaces Node's in this realm.
const AUDIT = join(dirname(fileURLToPath(import.meta.url)), '../../sync-server/src/sync/audit.ts');
const MARK = markId(lessonId('sg-a', '2026-09-07', '15:00'), 'learner-kid');
const AUDITED_AT = Date.UTC(2026, 8, 7, 10, 5);
const LOST_AT = Date.UTC(2026, 8, 7, 10, 20);

/** «Б» pushed and audited; then «Н» made offline, stored, its audit write lost. */
function seed(): string {
  const audited = { ...markDoc('sg-a', '2026-09-07', 'learner-kid', 'Б', AUDITED_AT, 'tablet-1') };
  const entry = {
    id: `${MARK}:code:${AUDITED_AT}:tablet-1`,
    type: 'audit',
    orgId: audited.orgId,
    subgroupId: 'sg-a',
    docId: MARK,
    field: 'code',
    old: null,
    new: 'Б',
    by: 'teacher-a-user',
    device: 'tablet-1',
    editedAt: AUDITED_AT,
    receivedAt: AUDITED_AT + 1000,
    offline: false,
  };
  const lost = stamp(LOST_AT, 'tablet-1', 'teacher-a-user', true);
  const stored = { ...audited, code: 'Н', stamps: { ...audited.stamps, code: lost } };
  return `
    const { auditBatches } = await import(${JSON.stringify(AUDIT)});
    await server.store.ensureDb('otm_audit_' + ${JSON.stringify(audited.orgId)});
    await server.store.putMany('otm_audit_' + ${JSON.stringify(audited.orgId)},
      auditBatches([${JSON.stringify(entry)}], ${entry.receivedAt}));
    await server.store.putMany(subgroupDbName('sg-a'), [${JSON.stringify(stored)}]);
    await server.store.putMany('otm_audit_' + ${JSON.stringify(audited.orgId)}, [${JSON.stringify(refusal())}]);
  `;
}

const REFUSED_MARK = markId(lessonId('sg-a', '2026-09-09', '15:00'), 'learner-kid');

/** A mark the server refused (the month was closed), as push records it. */
function refusal() {
  return {
    id: `refusal:${REFUSED_MARK}:MONTH_LOCKED:0123456789abcdef`,
    type: 'refusal',
    orgId: 'org-test',
    subgroupId: 'sg-a',
    userId: 'teacher-a-user',
    deviceId: 'tablet-1',
    collection: 'marks',
    docId: REFUSED_MARK,
    code: 'MONTH_LOCKED',
    message: 'Сентябрь 2026 закрыт для изменений.',
    attempted: markDoc('sg-a', '2026-09-09', 'learner-kid', 'Н', LOST_AT, 'tablet-1'),
    at: LOST_AT + 5000,
  };
}

let server: { url: string; child: ChildProcess };
let session: Session;

beforeAll(async () => {
  server = await startServerProcess(seed());
  servePageFrom(server.url);
  session = new Session({ baseUrl: server.url }, memoryStore());
  await session.signIn('admin', PASSWORD);
});

afterAll(async () => {
  await stopServerProcess(server?.child);
});

afterEach(() => cleanup());

function rows(): string[] {
  return [...screen.getByTestId('audit-entries').querySelectorAll('tbody tr')].map(
    (row) => row.textContent ?? '',
  );
}

describe('admin: the history of a mark', () => {
  it('[AU1][AU3] names the mark, fields and values in words and shows an edit whose audit write was lost', async () => {
    const user = session.user!;
    render(
      <AdminApp session={{ user, fetchApi: (path, init) => session.authorised(path, init) }} />,
    );
    fireEvent.click(await screen.findByTestId('admin-tab-audit'));
    fireEvent.input(await screen.findByTestId('audit-month'), { target: { value: '2026-09' } });
    fireEvent.click(await screen.findByTestId(`mark-cell-${MARK}`));

    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.getByTestId('audit-title').textContent).toBe(
      'Смирнов Кирилл — занятие 07.09.2026, 15:00',
    );
    const [audited, recovered] = rows();
    expect(audited).toMatch(/отметка.*— → Б.*tablet-1.*онлайн/);
    expect(audited).not.toMatch(/восстановлено/);
    expect(recovered).toMatch(/восстановлено по данным журнала/);
    expect(recovered).toMatch(/отметка.*Б → Н.*tablet-1.*офлайн/);
  });

  it('[AU2] a refused edit names the subgroup, the learner and the lesson, and what was tried in words', async () => {
    const user = session.user!;
    render(
      <AdminApp session={{ user, fetchApi: (path, init) => session.authorised(path, init) }} />,
    );
    fireEvent.click(await screen.findByTestId('admin-tab-refusals'));
    const card = await screen.findByTestId(`refusal-${refusal().id}`);

    expect(screen.getByTestId(`refusal-what-${refusal().id}`).textContent).toBe(
      'Робототехника — Группа sg-a · Смирнов Кирилл · занятие 09.09.2026 в 15:00',
    );
    expect(card.textContent).toContain('Попытка: отметка «Н»');
    expect(card.textContent).not.toContain(REFUSED_MARK);
    expect(card.textContent).not.toMatch(/code:|2026-09-09|MONTH_LOCKED/);
  });
});
