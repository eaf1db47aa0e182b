import { describe, expect, it } from 'vitest';
import { applicationStatusLabel, DEFAULT_APPLICATION_STATUSES } from '../src/index.ts';

describe('application status labels', () => {
  it('[RU2] statuses that speak of the learner in one gender read for a boy and a girl alike', () => {
    expect(DEFAULT_APPLICATION_STATUSES.map(applicationStatusLabel)).toEqual([
      'новая',
      'подтверждена',
      'в резерве',
      'обучается',
      'отклонена',
      'отчислен(а)',
      'завершил(а) обучение',
    ]);
    // An organisation's own status reads as it was named.
    expect(applicationStatusLabel('ожидает документов')).toBe('ожидает документов');
  });
});
