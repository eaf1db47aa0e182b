import type { Device } from './device.ts';
import { baseSchedule, MONTHS, type SoakTeacher, WINDOW, windowSlots } from './fixture.ts';
import type { DeviceAction } from './protocol.ts';
import type { Rng } from './rng.ts';

/**
 * What the simulated people do: teachers' devices edit marks, lessons and topics; the admin
 * cancels and restores lessons in the schedule and locks and unlocks months; the parent reads
 * the diary. Every choice comes from the soak's seeded generator.
 */

const CODES = ['', 'Н', 'Б', 'УП', 'О'];
const WORDS = [
  'Введение',
  'Сборка модели',
  'Датчики 🤖',
  'Повторение',
  'Ёлочка «ель»',
  '<script>alert(1)</script>',
  '=SUM(A1:A2)',
  'Проект ✏️',
  'Задача №5',
  '',
];

export function text(rng: Rng): string {
  return `${rng.pick(WORDS)} ${rng.int(1, 999)}`.trim();
}

export function deviceAction(rng: Rng, teacher: SoakTeacher): DeviceAction {
  const slots = windowSlots(teacher.subgroupId);
  const slot = { subgroupId: teacher.subgroupId, date: rng.pick(slots).date };
  const kind = rng.weighted({ mark: 45, lesson: 25, topicAdd: 12, topicEdit: 10, topicDelete: 8 });
  switch (kind) {
    case 'mark':
      return { kind, slot, learnerId: rng.pick(teacher.learners), code: rng.pick(CODES) };
    case 'lesson': {
      const field = rng.pick(['topicTitle', 'homework', 'remark', 'status'] as const);
      if (field !== 'status') return { kind, slot, patch: { [field]: text(rng) } };
      // As the lesson screen does (LS1): a cancellation with its reason, a reason cleared.
      const status = rng.pick(['held', 'planned', 'cancelled'] as const);
      const statusReason = status === 'cancelled' ? text(rng) : '';
      return { kind, slot, patch: { status, statusReason } };
    }
    case 'topicAdd':
      return {
        kind,
        subgroupId: teacher.subgroupId,
        title: text(rng) || 'Тема',
        hours: rng.int(1, 4),
        order: rng.int(0, 500),
      };
    case 'topicEdit':
      return { kind, subgroupId: teacher.subgroupId, pick: rng.next(), title: text(rng) || 'Тема' };
    case 'topicDelete':
      return { kind, subgroupId: teacher.subgroupId, pick: rng.next() };
  }
}

export interface Http {
  status: number;
  body: unknown;
}

export async function http(
  base: string,
  method: string,
  url: string,
  token?: string,
  body?: unknown,
): Promise<Http> {
  const headers: Record<string, string> = {};
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await fetch(base + url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // XLSX or HTML stays text.
    }
    return { status: res.status, body: parsed };
  } catch {
    return { status: 0, body: null };
  }
}

export async function login(base: string, name: string, password: string): Promise<string> {
  const res = await http(base, 'POST', '/api/auth/login', undefined, { login: name, password });
  if (res.status !== 200)
    throw new Error(`login ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { accessToken: string }).accessToken;
}

/** The admin's view of each subgroup's cancelled dates, so changes can be undone too. */
export class Admin {
  private readonly cancelled = new Map<string, string[]>();
  scheduleChanges = 0;
  lockChanges = 0;
  /** Schedule changes refused because they would rewrite a locked month (LK4): as it should be. */
  lockedRefusals = 0;

  constructor(
    private readonly teachers: SoakTeacher[],
    private token: string,
  ) {}

  setToken(token: string): void {
    this.token = token;
  }

  /**
   * One admin action; returns the HTTP answer (the caller judges 5xx against faults) and whether
   * a refusal was one the rules prescribe.
   */
  async act(rng: Rng, base: string): Promise<{ what: string; res: Http; expected?: boolean }> {
    const teacher = rng.pick(this.teachers);
    if (rng.chance(0.5)) return this.changeSchedule(rng, base, teacher);
    return this.changeLock(rng, base, teacher);
  }

  private async changeSchedule(rng: Rng, base: string, teacher: SoakTeacher) {
    const list = this.cancelled.get(teacher.subgroupId) ?? [];
    const next =
      list.length > 0 && rng.chance(0.4)
        ? list.filter((_, i) => i !== rng.int(0, list.length - 1))
        : [...new Set([...list, rng.pick(windowSlots(teacher.subgroupId)).date])];
    const schedule = baseSchedule(teacher.subgroupId);
    const body = {
      rules: schedule.rules,
      exceptions: next.map((date) => ({ kind: 'cancel', date, start: '15:00', reason: 'Замена' })),
      holidayRule: schedule.holidayRule,
    };
    const res = await http(
      base,
      'PUT',
      `/api/admin/subgroups/${teacher.subgroupId}/schedule`,
      this.token,
      body,
    );
    if (res.status === 200) {
      this.cancelled.set(teacher.subgroupId, next);
      this.scheduleChanges++;
    }
    // A cancellation (or its undoing) in a month the admin locked is refused (LK4); the admin's
    // view stays as it was, as the server's does.
    const code = (res.body as { error?: { code?: string } } | undefined)?.error?.code;
    const expected = res.status === 409 && code === 'MONTH_LOCKED';
    if (expected) this.lockedRefusals++;
    return { what: `schedule ${teacher.subgroupId} cancels ${next.length}`, res, expected };
  }

  private async changeLock(rng: Rng, base: string, teacher: SoakTeacher) {
    const locked = rng.chance(0.5);
    const body = {
      subgroupId: rng.chance(0.8) ? teacher.subgroupId : null,
      month: rng.pick(MONTHS),
      locked,
      reason: locked ? '' : 'Исправление ошибки',
    };
    const res = await http(base, 'POST', '/api/admin/locks', this.token, body);
    if (res.status === 200) this.lockChanges++;
    return { what: `lock ${JSON.stringify(body)}`, res };
  }
}

export async function parentRead(
  rng: Rng,
  base: string,
  token: string,
  teachers: SoakTeacher[],
): Promise<Http> {
  const learner = rng.pick(rng.pick(teachers).learners);
  const month = rng.pick(MONTHS);
  return http(base, 'GET', `/api/parent/diary/${learner}?month=${month}`, token);
}

export type { Device };
export { WINDOW };
