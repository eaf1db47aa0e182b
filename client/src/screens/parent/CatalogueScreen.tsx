import { FOCUS_LABELS } from '@otmetka/shared';
import type { ParentCatalogResponse } from '@otmetka/shared/api';
import { useState } from 'preact/hooks';
import { formatDate, weekdaysLabel } from '../admin/format.ts';
import { LEVEL_LABELS } from '../admin/ProgrammesScreen.tsx';
import { ErrorLine, Field, Loading, Select } from '../admin/ui.tsx';
import { ApplyForm } from './ApplyForm.tsx';
import { useParent } from './context.ts';
import { KeptNote, useKept } from './kept.tsx';

/**
 * The catalogue: programmes and their subgroups with schedules and free places. Offline it shows
 * the copy kept on the device with its time (PD6); an application still needs the network.
 */

/**
 * PD2: a subgroup's weekly patterns in date order, each dated when it does not run the whole
 * study period («с 01.01.2027 по 31.05.2027: Вт, Чт 14:00–15:40»): two undated patterns read
 * as if the group met on four days.
 */
export function scheduleLines(s: Pick<CatalogSubgroup, 'periodFrom' | 'periodTo' | 'schedule'>) {
  return [...s.schedule]
    .sort((a, b) => a.from.localeCompare(b.from) || a.start.localeCompare(b.start))
    .map((r) => {
      const whole = r.from <= s.periodFrom && r.to >= s.periodTo;
      const when = whole ? '' : `с ${formatDate(r.from)} по ${formatDate(r.to)}: `;
      return `${when}${weekdaysLabel(r.weekdays)} ${r.start}–${r.end}`;
    });
}

type CatalogSubgroup = ParentCatalogResponse['programmes'][number]['subgroups'][number];

const FOCUS_OPTIONS = [
  { value: '', label: 'Все направленности' },
  ...Object.entries(FOCUS_LABELS).map(([value, label]) => ({ value, label })),
];

export function CatalogueScreen({ onApplied }: { onApplied: () => void }) {
  const { api, version } = useParent();
  const catalog = useKept(() => api.catalog(), [api, version]);
  const [focus, setFocus] = useState('');
  const [applying, setApplying] = useState<{ subgroup: CatalogSubgroup; programme: string } | null>(
    null,
  );

  if (applying) {
    return (
      <ApplyForm
        subgroup={applying.subgroup}
        programmeName={applying.programme}
        onCancel={() => setApplying(null)}
        onDone={onApplied}
      />
    );
  }

  const shown = catalog.data?.value;
  const programmes = (shown?.programmes ?? []).filter((p) => !focus || p.focus === focus);
  return (
    <section class="ap-screen" data-testid="parent-catalog">
      <header class="ap-screen__head">
        <h2>{shown?.orgName ?? 'Кружки и секции'}</h2>
        <div class="ap-picker">
          <Field label="Направленность" testid="catalog-focus">
            <Select
              value={focus}
              onValue={setFocus}
              testid="catalog-focus"
              options={FOCUS_OPTIONS}
            />
          </Field>
        </div>
      </header>
      <ErrorLine
        error={catalog.data ? null : catalog.error}
        testid="catalog-error"
        offlineText="Нет связи с сервером, а каталог ещё не загружался на это устройство."
      />
      {catalog.loading && !catalog.data ? <Loading testid="catalog-loading" /> : null}
      {/* PD6: places and schedules may have changed since; the time says how old they are. */}
      <KeptNote
        kept={catalog.data}
        testid="catalog-stale"
        offlineTail="Заявку можно отправить только при подключении к интернету."
      />
      {shown && programmes.length === 0 ? <p class="ap-muted">Программ не найдено.</p> : null}
      <div class="pa-programmes">
        {programmes.map((p) => (
          <article key={p.id} class="ap-card" data-testid={`catalog-programme-${p.id}`}>
            <div class="ap-card__title">{p.name}</div>
            <div class="ap-muted">
              {p.focusLabel} · {LEVEL_LABELS[p.level]} уровень · {p.ageFrom}–{p.ageTo} лет ·{' '}
              {p.hoursPerYear} ч в год
            </div>
            {p.description ? <p class="pa-description">{p.description}</p> : null}
            {p.subgroups.length === 0 ? <p class="ap-muted">Набор в группы не ведётся.</p> : null}
            {p.subgroups.map((s) => (
              <SubgroupOffer
                key={s.id}
                subgroup={s}
                onApply={() => setApplying({ subgroup: s, programme: p.name })}
              />
            ))}
          </article>
        ))}
      </div>
    </section>
  );
}

function SubgroupOffer({
  subgroup: s,
  onApply,
}: {
  subgroup: CatalogSubgroup;
  onApply: () => void;
}) {
  return (
    <div class="pa-offer" data-testid={`catalog-subgroup-${s.id}`}>
      <div>
        <b>{s.name}</b> · {s.teachers.join(', ') || 'педагог уточняется'}
      </div>
      <div class="ap-muted">
        {formatDate(s.periodFrom)} – {formatDate(s.periodTo)}
      </div>
      <ul class="pa-schedule">
        {scheduleLines(s).map((line) => (
          <li key={line}>{line}</li>
        ))}
      </ul>
      <div class="ap-actions">
        <span class={s.freePlaces > 0 ? 'pa-free' : 'pa-full'} data-testid={`catalog-free-${s.id}`}>
          {s.freePlaces > 0 ? `Свободно мест: ${s.freePlaces} из ${s.capacity}` : 'Мест нет'}
        </span>
        {s.acceptsApplications ? (
          <button
            type="button"
            class="ap-btn ap-btn--primary"
            data-testid={`catalog-apply-${s.id}`}
            onClick={onApply}
          >
            {s.freePlaces > 0 ? 'Подать заявку' : 'Встать в резерв'}
          </button>
        ) : (
          <span class="ap-muted">Расписание ещё не составлено — заявки не принимаются</span>
        )}
      </div>
    </div>
  );
}
