import { monthOf } from '@otmetka/shared';
import type { DiaryResponse } from '@otmetka/shared/api';
import { useEffect, useState } from 'preact/hooks';
import type { DiaryView } from '../../api/parent.ts';
import { formatDate, monthLabel, shiftMonth } from '../admin/format.ts';
import { ErrorLine, Field, Loading, Select, useLoad } from '../admin/ui.tsx';
import { useOrgTime } from '../org-time.ts';
import { useParent } from './context.ts';
import { KeptNote, useKept } from './kept.tsx';

/**
 * The diary of one child for one month: lessons with topics, attendance, homework and grades.
 * The last answer per child and month is kept on the device; offline it is shown with the time
 * it was fetched («Данные на …»), so the parent knows how fresh it is. The child and month
 * chosen last are kept too (PD5): a mother of two who was reading the second child's October
 * finds it again after a reload, a restart of the phone or a visit to another tab.
 */
export function DiaryScreen() {
  const { api, version } = useParent();
  const children = useKept(() => api.listChildren(), [api, version]);
  const list = children.data?.value.children ?? [];
  const [view, choose] = useDiaryView(list, children.data !== undefined);
  const learnerId = view?.learnerId ?? '';
  const month = view?.month ?? '';
  const setLearnerId = (id: string) => view && choose({ ...view, learnerId: id });
  const setMonth = (m: string) => view && choose({ ...view, month: m });

  return (
    <section class="ap-screen" data-testid="parent-diary">
      <h2>Дневник</h2>
      <ErrorLine error={children.data ? null : children.error} testid="diary-children-error" />
      {children.loading && !children.data ? <Loading testid="diary-children-loading" /> : null}
      {children.data && list.length === 0 ? (
        <p class="ap-muted" data-testid="diary-no-children">
          Дети ещё не записаны. Подайте заявку в разделе «Кружки и секции».
        </p>
      ) : null}
      {view ? (
        <div class="pa-diary-head">
          {list.length > 1 ? (
            <Field label="Ребёнок" testid="diary-child">
              <Select
                value={learnerId}
                onValue={setLearnerId}
                testid="diary-child"
                options={list.map((c) => ({ value: c.id, label: c.displayName }))}
              />
            </Field>
          ) : null}
          <div class="pa-month-nav">
            <button
              type="button"
              class="ap-btn"
              data-testid="diary-prev"
              aria-label="Предыдущий месяц"
              onClick={() => setMonth(shiftMonth(month, -1))}
            >
              ‹
            </button>
            <span class="pa-month" data-testid="diary-month">
              {monthLabel(month)}
            </span>
            <input
              class="ap-input pa-month-input"
              type="month"
              aria-label="Месяц"
              value={month}
              data-testid="diary-month-input"
              onChange={(e) => {
                if (/^\d{4}-\d{2}$/.test(e.currentTarget.value)) setMonth(e.currentTarget.value);
              }}
            />
            <button
              type="button"
              class="ap-btn"
              data-testid="diary-next"
              aria-label="Следующий месяц"
              onClick={() => setMonth(shiftMonth(month, 1))}
            >
              ›
            </button>
          </div>
        </div>
      ) : null}
      {view ? (
        <DiaryMonth key={`${learnerId}:${month}`} learnerId={learnerId} month={month} />
      ) : null}
    </section>
  );
}

/**
 * The child and month on show. Nothing is shown until the kept view was read (a local read),
 * so a reload does not first ask for the current month of the first child. The kept view is
 * shown before the list of children arrives; a kept child no longer on the list then gives
 * way to the first one. Every choice is kept for next time.
 */
function useDiaryView(list: readonly { id: string }[], listed: boolean) {
  const time = useOrgTime();
  const { api } = useParent();
  const kept = useLoad(() => api.lastDiaryView(), [api]);
  const [view, setView] = useState<DiaryView | null>(null);

  useEffect(() => {
    if (kept.loading) return;
    // PD14: the kept child and month ask for their diary at once, beside the list, rather than
    // after it (two slow requests in a row on a weak signal); the list confirms the child.
    if (!listed) {
      if (!view && kept.data) setView(kept.data);
      return;
    }
    const listedId = (id: string | undefined) => list.some((c) => c.id === id);
    if (view && listedId(view.learnerId)) return;
    const from = view ?? kept.data;
    const learnerId = listedId(from?.learnerId) ? from?.learnerId : list[0]?.id;
    setView(learnerId ? { learnerId, month: from?.month ?? monthOf(time.today()) } : null);
  }, [kept.loading, listed, list]);

  const choose = (next: DiaryView) => {
    setView(next);
    void api.saveDiaryView(next);
  };
  return [view, choose] as const;
}

function DiaryMonth({ learnerId, month }: { learnerId: string; month: string }) {
  const { api, version } = useParent();
  const diary = useKept(() => api.diary(learnerId, month), [api, learnerId, month, version]);

  if (!diary.data) {
    if (diary.offline) {
      return (
        <p class="ap-warn" data-testid="diary-offline-empty">
          Нет связи с сервером, а за этот месяц дневник ещё не загружался на это устройство.
        </p>
      );
    }
    return diary.error ? (
      <ErrorLine error={diary.error} testid="diary-error" />
    ) : (
      <Loading testid="diary-loading" />
    );
  }

  const { value } = diary.data;
  return (
    <div data-testid="diary-content">
      <KeptNote kept={diary.data} testid="diary-stale" />
      <DiaryBody diary={value} />
    </div>
  );
}

/** PD1: a lesson that did not take place on its date shows why instead of attendance. */
const NOT_HELD: Partial<Record<string, string>> = { cancelled: 'отменено', moved: 'перенесено' };

/**
 * PD12: a lesson the admin moved says where to, so the family comes on the right day; on its
 * new date it says where from (badges beside the time, PD15 names a holiday the same way).
 */
function notHeldText(l: DiaryResponse['subgroups'][number]['lessons'][number]): string {
  const label = NOT_HELD[l.status] ?? '';
  return l.movedTo ? `${label} на ${formatDate(l.movedTo.date)} в ${l.movedTo.start}` : label;
}

/** PD3: a lesson without the child's mark says which it is: not marked, or not yet. */
function attendanceText(l: DiaryResponse['subgroups'][number]['lessons'][number]): string {
  if (l.code === null) return l.status === 'held' ? 'отметки нет' : 'ещё не отмечено';
  if (l.code === '') return 'был(а)';
  return l.codeLabel ? `${l.code} — ${l.codeLabel}` : l.code;
}

export function DiaryBody({ diary }: { diary: DiaryResponse }) {
  if (diary.subgroups.length === 0) {
    return <p class="ap-muted">{diary.learnerName}: в этом месяце занятий нет.</p>;
  }
  return (
    <>
      {diary.subgroups.map((s) => (
        <article
          key={s.subgroupId}
          class="ap-card pa-diary-group"
          data-testid={`diary-subgroup-${s.subgroupId}`}
        >
          <div class="ap-card__title">
            {s.programmeName} <span class="ap-muted">· {s.subgroupName}</span>
          </div>
          {s.lessons.length === 0 ? (
            // PD3: the group may have had lessons before the child's enrolment or after it.
            <p class="ap-muted">У ребёнка в этой группе в этом месяце занятий нет.</p>
          ) : null}
          <ul class="pa-lessons">
            {s.lessons.map((l) => (
              <li key={l.lessonId} class="pa-lesson" data-testid={`diary-lesson-${l.lessonId}`}>
                <div class="pa-lesson__when">
                  <b>{formatDate(l.date)}</b> {l.start}–{l.end}
                  {NOT_HELD[l.status] ? <span class="pa-badge">{notHeldText(l)}</span> : null}
                  {l.holiday ? <span class="pa-badge">{l.holiday}</span> : null}
                  {l.movedFrom ? (
                    <span class="pa-badge">
                      перенесено с {formatDate(l.movedFrom.date)} {l.movedFrom.start}
                    </span>
                  ) : null}
                </div>
                {NOT_HELD[l.status] ? null : (
                  <>
                    <div class="pa-lesson__topic">
                      {l.topicTitle || <span class="ap-muted">тема не указана</span>}
                    </div>
                    <div
                      class={l.code ? 'pa-absent' : undefined}
                      data-testid={`diary-attendance-${l.lessonId}`}
                    >
                      {attendanceText(l)}
                    </div>
                  </>
                )}
                {s.gradesEnabled && l.grade ? (
                  <div data-testid={`diary-grade-${l.lessonId}`}>Оценка: {l.grade}</div>
                ) : null}
                {l.homework ? <div class="pa-homework">Домашнее задание: {l.homework}</div> : null}
              </li>
            ))}
          </ul>
        </article>
      ))}
    </>
  );
}
