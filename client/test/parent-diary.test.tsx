// @vitest-environment happy-dom
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lessonId, markId } from '@otmetka/shared';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD } from '../../sync-server/test/helpers.ts';
import { ParentApp } from '../src/screens/parent/ParentApp.tsx';
import { memoryStore, Session } from '../src/sync/session.ts';

/**
 * The parent's diary against a real sync server: it shows the child's lesson with topic,
 * homework and attendance; after the server stops, a fresh mount of the screen reads the same
 * month from the device's cache (IndexedDB, fake-indexeddb here) and says how old it is.
 */

// node:path, not URL: happy-dom's URL replaces Node's in this realm.
const HERE = dirname(fileURLToPath(import.meta.url));
const HELPERS = join(HERE, '../../sync-server/test/helpers.ts');
const STORE = join(HERE, '../../sync-server/src/db/store.ts');

const LESSON = lessonId('sg-a', '2026-09-02', '15:00');
const MARK = markId(LESSON, 'learner-kid');

/**
 * The shared fixture plus the parent's child in the private database and one held lesson of
 * subgroup A with the child marked absent («Н»), as a teacher's push would leave them.
 */
const SEED = `
  const store = server.store;
  await store.putMany('otm_private_org-test', [{
    id: 'learner-kid', type: 'learner', orgId: 'org-test', parentUserId: 'parent',
    lastName: 'Смирнов', firstName: 'Кирилл', middleName: '', birthDate: '2016-05-05', createdAt: 0,
  }]);
  await store.putMany(subgroupDbName('sg-a'), [
    {
      id: ${JSON.stringify(LESSON)}, type: 'lesson', orgId: 'org-test', subgroupId: 'sg-a',
      date: '2026-09-02', start: '15:00', end: '16:30', academicHours: 2, status: 'held',
      statusReason: '', topicId: null, topicTitle: 'Знакомство с конструктором',
      homework: 'Собрать модель вентилятора', remark: '', flag: null, stamps: {},
    },
    {
      id: ${JSON.stringify(MARK)}, type: 'mark', orgId: 'org-test', subgroupId: 'sg-a',
      lessonId: ${JSON.stringify(LESSON)}, learnerId: 'learner-kid', date: '2026-09-02',
      code: 'Н', grade: null, note: '', stamps: {},
    },
  ]);
`;

/**
 * The real sync server (buildApp + embedded database on port 0) runs in a child Node process:
 * happy-dom replaces fetch, URL and AbortController in this realm, and the server's database
 * client must not run on the page's browser fetch. Stopping it is a real "server gone".
 */
async function startServerProcess(seed: string): Promise<{ url: string; child: ChildProcess }> {
  const script = `
    import { startServer, createFixture } from ${JSON.stringify(HELPERS)};
    import { subgroupDbName } from ${JSON.stringify(STORE)};
    const server = await startServer();
    await createFixture(server.store);
    ${seed}
    process.stdout.write(JSON.stringify({ url: server.url }) + '\\n');
    process.on('SIGTERM', () => server.stop().finally(() => process.exit(0)));
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve((JSON.parse(line) as { url: string }).url);
    });
    child.on('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  return { url, child };
}

function stopServerProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

type HappyWindow = { happyDOM: { setURL(url: string): void } };

let server: { url: string; child: ChildProcess } | undefined;
let session: Session;

beforeAll(async () => {
  server = await startServerProcess(SEED);
  (window as unknown as HappyWindow).happyDOM.setURL(`${server.url}/`);
  session = new Session({ baseUrl: server.url }, memoryStore());
  await session.signIn('parent', PASSWORD);
});

afterAll(async () => {
  await stopServerProcess(server?.child);
});

afterEach(() => cleanup());

function renderParent() {
  const user = session.user!;
  return render(
    <ParentApp session={{ user, fetchApi: (path, init) => session.authorised(path, init) }} />,
  );
}

async function openSeptember() {
  const input = await screen.findByTestId('diary-month-input');
  fireEvent.change(input, { target: { value: '2026-09' } });
  return screen.findByTestId(`diary-lesson-${LESSON}`);
}

describe('parent: diary', () => {
  it('shows the lesson, its topic, homework and the child’s attendance', async () => {
    renderParent();

    const lesson = await openSeptember();
    expect(lesson.textContent).toContain('02.09.2026');
    expect(lesson.textContent).toContain('Знакомство с конструктором');
    expect(lesson.textContent).toContain('Собрать модель вентилятора');
    expect(screen.getByTestId(`diary-attendance-${LESSON}`).textContent).toContain('Н');
    expect(screen.queryByTestId('diary-stale')).toBeNull();
  });

  it('reads the last answer from the device cache when the server is stopped', async () => {
    await stopServerProcess(server?.child);
    renderParent();

    const lesson = await openSeptember();
    expect(lesson.textContent).toContain('Знакомство с конструктором');
    expect(screen.getByTestId(`diary-attendance-${LESSON}`).textContent).toContain('Н');
    await waitFor(() =>
      expect(screen.getByTestId('diary-stale').textContent).toMatch(
        /Данные на \d{2}\.\d{2}\.\d{4}/,
      ),
    );
  });

  it('says plainly that a month never loaded is not on the device', async () => {
    renderParent();

    const input = await screen.findByTestId('diary-month-input');
    fireEvent.change(input, { target: { value: '2026-10' } });
    expect((await screen.findByTestId('diary-offline-empty')).textContent).toContain('Нет связи');
  });
});
