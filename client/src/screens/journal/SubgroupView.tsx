import type { Subgroup } from '@otmetka/shared';
import { monthOf, todayIn } from '@otmetka/shared';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { hrefOf, type Route } from '../../app/router.ts';
import { type CatalogView, yearSlots } from '../../db/queries.ts';
import { LessonScreen } from './LessonScreen.tsx';
import { LessonsMonth } from './LessonsMonth.tsx';

/** A subgroup's journal with its two tabs, «Занятия» and «Темы». */
export function SubgroupView({ route, catalog }: { route: Route; catalog: CatalogView }) {
  if (route.name === 'journals') return null;
  const subgroup = catalog.subgroups.find((s) => s.id === route.subgroupId);
  if (!subgroup) {
    return (
      <p class="empty" data-testid="subgroup-missing">
        {catalog.loaded ? 'Подгруппа не найдена или больше не ваша.' : 'Журнал загружается…'}
      </p>
    );
  }
  const programme = catalog.programmes.get(subgroup.programmeId);
  const month =
    route.name === 'lessons' && route.month ? route.month : defaultMonth(catalog, subgroup);
  const onTopics = route.name === 'topics';

  return (
    <section data-testid="subgroup">
      <header class="subhead">
        <a href="#/" class="back" data-testid="nav-journals">
          ← Журналы
        </a>
        <h1>
          {subgroup.name}
          {programme && <span class="muted"> · {programme.name}</span>}
        </h1>
      </header>
      <nav class="tabs" aria-label="Разделы журнала">
        <a
          class={onTopics ? 'tab' : 'tab tab--active'}
          href={hrefOf({ name: 'lessons', subgroupId: subgroup.id, month })}
          data-testid="tab-lessons"
        >
          Занятия
        </a>
        <a
          class={onTopics ? 'tab tab--active' : 'tab'}
          href={hrefOf({ name: 'topics', subgroupId: subgroup.id })}
          data-testid="tab-topics"
        >
          Темы
        </a>
      </nav>
      {route.name === 'topics' && <LazyTopics subgroup={subgroup} catalog={catalog} />}
      {route.name === 'lessons' && (
        <LessonsMonth subgroup={subgroup} catalog={catalog} month={month} />
      )}
      {route.name === 'lesson' && (
        <LessonScreen subgroup={subgroup} catalog={catalog} date={route.date} start={route.start} />
      )}
    </section>
  );
}

/** Today's month in the organisation's zone, kept inside the subgroup's study period. */
function defaultMonth(catalog: CatalogView, subgroup: Subgroup): string {
  // The organisation's zone, never the device's: near midnight they name different days.
  const today = todayIn(catalog.org?.timeZone ?? 'Asia/Yekaterinburg');
  if (today < subgroup.periodFrom) return monthOf(subgroup.periodFrom);
  if (today > subgroup.periodTo) return monthOf(subgroup.periodTo);
  return monthOf(today);
}

type TopicsModule = typeof import('../topics/TopicsScreen.tsx');

/**
 * «Темы» loads on first use: the template reader and writer (XLSX, CSV) are not needed to open
 * the journal and mark a lesson. The chunk is precached with the shell, so it loads offline.
 */
function LazyTopics({ subgroup, catalog }: { subgroup: Subgroup; catalog: CatalogView }) {
  const [mod, setMod] = useState<TopicsModule | null>(null);
  // TI19: the import names planned dates with no lesson of the schedule.
  const lessonDates = useMemo(
    () => new Set(yearSlots(catalog, subgroup).map((s) => s.date)),
    [catalog, subgroup],
  );
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    import('../topics/TopicsScreen.tsx').then(setMod, (err) => {
      console.error('topics screen did not load', err);
      setFailed(true);
    });
  }, []);
  if (failed) return <p class="error">Раздел «Темы» не загрузился. Перезагрузите страницу.</p>;
  if (!mod) return <p class="empty">Загрузка…</p>;
  return <mod.TopicsScreen subgroup={subgroup} lessonDates={lessonDates} />;
}
