import type { LessonSlot } from '@otmetka/shared';
import { formatRuDate, monthLockOrigin } from '@otmetka/shared';
import { Fragment } from 'preact';
import { useMemo } from 'preact/hooks';
import type { CatalogView } from '../db/queries.ts';
import { learnerNames$, movedSlot, yearSlots } from '../db/queries.ts';
import { dismissNotice, redoNotice } from '../db/repo.ts';
import type { Notice } from '../db/schemas.ts';
import { lostFieldLine, shownLostFields } from '../sync/lost-text.ts';
import { useTeacher } from './context.ts';
import { useObservable } from './hooks.ts';
import { counted } from './plural.ts';
import { useToday } from './today.ts';

/**
 * «Требуют внимания»: the edits the server refused or that lost a conflict, each with what to
 * do about it. The notices of one lesson (its own and its marks') are gathered under it, with
 * buttons for all of them at once: a lesson refused while offline brings one notice per
 * learner. A lesson the admin moved in the schedule meanwhile offers «Перенести на …» (NT4).
 */

interface Attempt {
  type?: string;
  subgroupId?: string;
  lessonId?: string;
  learnerId?: string;
  date?: string;
  start?: string;
  title?: string;
  code?: string;
}

const attemptOf = (n: Notice) => n.attempted as Attempt;

/** The lesson a notice is about (its own id, or its mark's lesson); null for a topic. */
function lessonOf(n: Notice): string | null {
  const doc = attemptOf(n);
  if (doc.type === 'lesson') return n.docId;
  if (doc.type === 'mark') return doc.lessonId ?? null;
  return null;
}

/** The notices in list order, those of one lesson together where its first one stands. */
export function groupNotices(notices: Notice[]): Notice[][] {
  const groups: Notice[][] = [];
  const byLesson = new Map<string, Notice[]>();
  for (const n of notices) {
    const lesson = lessonOf(n);
    const group = lesson ? byLesson.get(lesson) : undefined;
    if (group) {
      group.push(n);
      continue;
    }
    const fresh = [n];
    groups.push(fresh);
    if (lesson) byLesson.set(lesson, fresh);
  }
  return groups;
}

/** `HH:MM` of a lesson id (`lesson:<sg>:<date>:<HHMM>`). */
function startOfLesson(lessonId: string): string {
  const hhmm = lessonId.split(':')[3] ?? '';
  return `${hhmm.slice(0, 2)}:${hhmm.slice(2)}`;
}

/**
 * NT4: the slot a refused lesson or mark can be entered on again: its lesson was refused off
 * the schedule and the schedule on the device moved it there. A mark moves only to a lesson
 * that has taken place (attendance is taken up to today, LS2).
 */
export function moveTargetOf(
  n: Notice,
  slotsOf: (subgroupId: string) => LessonSlot[],
  today: string,
): LessonSlot | null {
  const doc = attemptOf(n);
  const lesson = lessonOf(n);
  if (n.kind !== 'refused' || n.code !== 'LESSON_NOT_ON_SCHEDULE') return null;
  if (!lesson || !doc.subgroupId || !doc.date) return null;
  const start = startOfLesson(lesson);
  const slot = movedSlot(slotsOf(doc.subgroupId), doc.date, start);
  if (!slot || (doc.type === 'mark' && slot.date > today)) return null;
  return slot;
}

/**
 * NT5: a notice of an edit refused in a closed month outlives the lock: once the device's
 * catalog has the month open again (the admin reopened it), the notice says so, since its
 * message still reads «закрыт». False for a notice of another kind, or while the catalog lacks
 * the organisation.
 */
export function monthReopened(n: Notice, catalog: CatalogView, now: Date): boolean {
  const doc = attemptOf(n);
  if (n.code !== 'MONTH_LOCKED' || !catalog.org || !doc.subgroupId || !doc.date) return false;
  const origin = monthLockOrigin({
    locks: catalog.locks,
    org: catalog.org,
    subgroupId: doc.subgroupId,
    month: doc.date.slice(0, 7),
    now,
  });
  return origin === null;
}

/**
 * NT6: which group a notice is about, «Робототехника — Группа 1», from the device's catalog: a
 * teacher of twelve groups cannot tell a learner's refused mark from the name and date alone.
 * Null when the catalog no longer holds the subgroup (the teacher was taken off it).
 */
export function noticeSubgroupName(n: Notice, catalog: CatalogView): string | null {
  const subgroupId = attemptOf(n).subgroupId;
  const subgroup = catalog.subgroups.find((s) => s.id === subgroupId);
  if (!subgroup) return null;
  const programme = catalog.programmes.get(subgroup.programmeId);
  return programme ? `${programme.name} — ${subgroup.name}` : subgroup.name;
}

export function NoticeList({ notices, catalog }: { notices: Notice[]; catalog: CatalogView }) {
  const { db, user } = useTeacher();
  const names = useObservable(() => learnerNames$(db), [db], new Map<string, string>());
  const today = useToday(catalog.org?.timeZone ?? user.timeZone);
  const slotsOf = useMemo(() => {
    const cache = new Map<string, LessonSlot[]>();
    return (subgroupId: string) => {
      const subgroup = catalog.subgroups.find((s) => s.id === subgroupId);
      if (!subgroup) return [];
      if (!cache.has(subgroupId)) cache.set(subgroupId, yearSlots(catalog, subgroup));
      return cache.get(subgroupId) ?? [];
    };
  }, [catalog]);
  const targetOf = (n: Notice) => moveTargetOf(n, slotsOf, today);

  return (
    <ul class="notices" data-testid="notices-list">
      {groupNotices(notices).map((group) => (
        <Fragment key={group[0]!.id}>
          {group.length > 1 && (
            <GroupHead
              group={group}
              targetOf={targetOf}
              subgroupName={noticeSubgroupName(group[0]!, catalog)}
            />
          )}
          {group.map((n) => (
            <NoticeItem
              key={n.id}
              notice={n}
              names={names}
              target={targetOf(n)}
              reopened={monthReopened(n, catalog, new Date())}
              subgroupName={group.length > 1 ? null : noticeSubgroupName(n, catalog)}
            />
          ))}
        </Fragment>
      ))}
    </ul>
  );
}

/** One lesson's notices at once: move them all, redo them all, or hide them all. */
function GroupHead(props: {
  group: Notice[];
  targetOf: (n: Notice) => LessonSlot | null;
  subgroupName: string | null;
}) {
  const { db } = useTeacher();
  const { group, targetOf } = props;
  const lesson = lessonOf(group[0]!)!;
  const date = attemptOf(group[0]!).date;
  const targets = group.map(targetOf);
  const target = targets.every((t) => t !== null) ? targets[0] : null;
  const each = async (act: (n: Notice, i: number) => Promise<void>) => {
    for (const [i, n] of group.entries()) await act(n, i);
  };

  return (
    <li class="notice notice--group" data-testid="notice-group" data-lesson={lesson}>
      {props.subgroupName && (
        <p class="muted" data-testid="notice-subgroup">
          {props.subgroupName}
        </p>
      )}
      <strong>
        Занятие {ruDate(date)} в {startOfLesson(lesson)}:{' '}
        {counted(group.length, ['изменение', 'изменения', 'изменений'])}
      </strong>
      <div class="row">
        {target && (
          <button
            type="button"
            onClick={() => void each((n, i) => redoNotice(db, n, targets[i]!))}
            data-testid="notice-group-move"
          >
            Перенести все на {formatRuDate(target.date)}
          </button>
        )}
        <button
          type="button"
          onClick={() => void each((n) => redoNotice(db, n))}
          data-testid="notice-group-redo"
        >
          Повторить все
        </button>
        <button
          type="button"
          onClick={() => void each((n) => dismissNotice(db, n.id))}
          data-testid="notice-group-dismiss"
        >
          Скрыть все
        </button>
      </div>
    </li>
  );
}

function NoticeItem(props: {
  notice: Notice;
  names: Map<string, string>;
  target: LessonSlot | null;
  reopened: boolean;
  subgroupName: string | null;
}) {
  const { db } = useTeacher();
  const { notice: n, names, target } = props;
  return (
    <li class="notice" data-testid="notice" data-code={n.code} data-doc={n.docId}>
      <div>
        {props.subgroupName && (
          <p class="muted" data-testid="notice-subgroup">
            {props.subgroupName}
          </p>
        )}
        <strong>{describeDoc(n, names)}</strong>
        <p>{n.message}</p>
        {props.reopened && (
          <p class="ok" data-testid="notice-reopened">
            Месяц снова открыт — изменение можно повторить.
          </p>
        )}
        {n.lostFields.length > 0 && (
          <p class="muted">{shownLostFields(n.lostFields).map(lostFieldLine).join('; ')}</p>
        )}
      </div>
      <div class="row">
        {target && (
          <button
            type="button"
            onClick={() => void redoNotice(db, n, target)}
            data-testid="notice-move"
          >
            Перенести на {formatRuDate(target.date)}
          </button>
        )}
        <button type="button" onClick={() => void redoNotice(db, n)} data-testid="notice-redo">
          Повторить
        </button>
        <button
          type="button"
          onClick={() => void dismissNotice(db, n.id)}
          data-testid="notice-dismiss"
        >
          Скрыть
        </button>
      </div>
    </li>
  );
}

/** What the notice is about, in the teacher's words: whose mark, on which lesson. */
function describeDoc(n: Notice, names: Map<string, string>): string {
  const doc = attemptOf(n);
  const kind = n.kind === 'refused' ? 'Не принято' : 'Перекрыто';
  if (doc.type === 'mark') {
    const who = (doc.learnerId && names.get(doc.learnerId)) || 'обучающийся';
    // A grade or a note refused: the attendance the attempt carried is not what it is about.
    const aboutCode = n.lostFields.length === 0 || n.lostFields.some((l) => l.field === 'code');
    if (!aboutCode) return `${kind}: ${who}, ${ruDate(doc.date)}`;
    return `${kind}: ${who}, отметка «${doc.code || '✓'}» за ${ruDate(doc.date)}`;
  }
  if (doc.type === 'lesson') return `${kind}: занятие ${ruDate(doc.date)}`;
  if (doc.type === 'topic') return `${kind}: тема «${doc.title ?? ''}»`;
  return kind;
}

function ruDate(date: string | undefined): string {
  return date ? formatRuDate(date) : '';
}
