import type { Programme, Subgroup } from '@otmetka/shared';
import { FOCUS_LABELS } from '@otmetka/shared';
import { hrefOf } from '../../app/router.ts';
import type { CatalogView } from '../../db/queries.ts';

/** «Журналы»: the teacher's programmes, each with its subgroups. */
export function Journals({ catalog }: { catalog: CatalogView }) {
  if (!catalog.loaded) {
    return (
      <p class="empty" data-testid="journals-loading">
        Журналы загружаются. При первом входе нужен интернет; потом журнал открывается и без него.
      </p>
    );
  }
  const groups = groupByProgramme(catalog);
  if (groups.length === 0) {
    return (
      <p class="empty" data-testid="journals-empty">
        У вас пока нет подгрупп. Их назначает администратор организации.
      </p>
    );
  }
  return (
    <section data-testid="journals">
      <h1>Журналы</h1>
      {groups.map(([programme, subgroups]) => (
        <article class="card" key={programme?.id ?? 'none'} data-testid="programme">
          <h2>{programme?.name ?? 'Программа'}</h2>
          {programme && (
            <p class="muted">
              {FOCUS_LABELS[programme.focus]} направленность · {programme.hoursPerYear} ч в год
            </p>
          )}
          <ul class="tiles">
            {subgroups.map((s) => (
              <li key={s.id}>
                <a
                  class="tile"
                  href={hrefOf({ name: 'lessons', subgroupId: s.id, month: null })}
                  data-testid={`subgroup-${s.id}`}
                >
                  <strong>{s.name}</strong>
                  <span class="muted">
                    {ruDate(s.periodFrom)} — {ruDate(s.periodTo)}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </article>
      ))}
    </section>
  );
}

function groupByProgramme(catalog: CatalogView): [Programme | undefined, Subgroup[]][] {
  const groups = new Map<string, Subgroup[]>();
  for (const s of catalog.subgroups) {
    const list = groups.get(s.programmeId) ?? [];
    list.push(s);
    groups.set(s.programmeId, list);
  }
  return [...groups.entries()]
    .map(([id, list]): [Programme | undefined, Subgroup[]] => [catalog.programmes.get(id), list])
    .sort((a, b) => (a[0]?.name ?? '').localeCompare(b[0]?.name ?? '', 'ru'));
}

export function ruDate(date: string): string {
  const [y, m, d] = date.split('-');
  return `${d}.${m}.${y}`;
}
