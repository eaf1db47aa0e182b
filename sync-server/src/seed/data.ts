import type { Focus } from '@otmetka/shared';

/**
 * The demo organisation's programmes: a house of children's creativity in Orenburg with the
 * usual spread of focuses. `lessonHours` is the length of one lesson in academic hours and
 * `perWeek` how many lessons a week give the programme's hours over ~36 weeks.
 */

export interface ProgrammeSpec {
  key: string;
  name: string;
  focus: Focus;
  level: 'start' | 'basic' | 'advanced';
  ageFrom: number;
  ageTo: number;
  hoursPerYear: number;
  gradesEnabled: boolean;
  description: string;
  subgroups: number;
  lessonHours: number;
  perWeek: number;
  minutesPerHour: number;
  /** Sections of the calendar study plan (КТП), each with its topics. */
  plan: { section: string; topics: string[] }[];
}

export const PROGRAMMES: ProgrammeSpec[] = [
  {
    key: 'robot',
    name: 'Робототехника',
    focus: 'technical',
    level: 'basic',
    ageFrom: 9,
    ageTo: 13,
    hoursPerYear: 144,
    gradesEnabled: false,
    description: 'Конструирование и программирование роботов на наборах LEGO и Arduino.',
    subgroups: 3,
    lessonHours: 2,
    perWeek: 2,
    minutesPerHour: 45,
    plan: [
      {
        section: 'Введение',
        topics: ['Техника безопасности', 'Знакомство с набором', 'Датчики и моторы'],
      },
      {
        section: 'Механика',
        topics: ['Зубчатые передачи', 'Рычаги', 'Колёсные платформы', 'Захваты'],
      },
      {
        section: 'Программирование',
        topics: ['Линейные алгоритмы', 'Циклы', 'Ветвления', 'Движение по линии'],
      },
      {
        section: 'Проекты',
        topics: ['Робот-сортировщик', 'Подготовка к соревнованиям', 'Защита проекта'],
      },
    ],
  },
  {
    key: 'lego',
    name: 'Лего-конструирование',
    focus: 'technical',
    level: 'start',
    ageFrom: 5,
    ageTo: 7,
    hoursPerYear: 72,
    gradesEnabled: false,
    description: 'Первые шаги в конструировании для дошкольников.',
    subgroups: 2,
    lessonHours: 2,
    perWeek: 1,
    minutesPerHour: 30,
    plan: [
      { section: 'Мир деталей', topics: ['Кирпичики и пластины', 'Устойчивые постройки', 'Мосты'] },
      { section: 'Город', topics: ['Мой дом', 'Транспорт', 'Зоопарк', 'Парк аттракционов'] },
    ],
  },
  {
    key: 'eco',
    name: 'Юный эколог',
    focus: 'natural-science',
    level: 'start',
    ageFrom: 8,
    ageTo: 12,
    hoursPerYear: 72,
    gradesEnabled: false,
    description: 'Природа Оренбуржья: наблюдения, опыты и экологические акции.',
    subgroups: 2,
    lessonHours: 1,
    perWeek: 2,
    minutesPerHour: 45,
    plan: [
      {
        section: 'Живая природа',
        topics: ['Растения степи', 'Птицы зимой', 'Красная книга Оренбуржья'],
      },
      { section: 'Опыты', topics: ['Вода и почва', 'Проращивание семян', 'Наблюдения за погодой'] },
      { section: 'Акции', topics: ['Покормите птиц', 'Чистый берег Урала', 'Итоговый проект'] },
    ],
  },
  {
    key: 'chess',
    name: 'Шахматы',
    focus: 'sports',
    level: 'basic',
    ageFrom: 7,
    ageTo: 14,
    hoursPerYear: 144,
    gradesEnabled: true,
    description: 'Шахматная школа: от правил игры до турнирной практики.',
    subgroups: 3,
    lessonHours: 2,
    perWeek: 2,
    minutesPerHour: 45,
    plan: [
      { section: 'Основы', topics: ['Шахматная доска', 'Ходы фигур', 'Шах и мат', 'Рокировка'] },
      { section: 'Тактика', topics: ['Вилка', 'Связка', 'Двойной удар', 'Жертва'] },
      { section: 'Эндшпиль', topics: ['Ладейный эндшпиль', 'Пешечный эндшпиль'] },
      { section: 'Турниры', topics: ['Турнирная партия', 'Разбор партий'] },
    ],
  },
  {
    key: 'art',
    name: 'Изостудия «Палитра»',
    focus: 'arts',
    level: 'start',
    ageFrom: 7,
    ageTo: 12,
    hoursPerYear: 144,
    gradesEnabled: true,
    description: 'Рисунок, живопись и декоративно-прикладное творчество.',
    subgroups: 3,
    lessonHours: 2,
    perWeek: 2,
    minutesPerHour: 45,
    plan: [
      { section: 'Рисунок', topics: ['Линия и штрих', 'Натюрморт', 'Портрет'] },
      { section: 'Живопись', topics: ['Акварель', 'Гуашь', 'Осенний пейзаж', 'Зимний пейзаж'] },
      {
        section: 'Декоративное искусство',
        topics: ['Хохлома', 'Городецкая роспись', 'Оренбургский пуховый платок'],
      },
    ],
  },
  {
    key: 'dance',
    name: 'Хореография «Грация»',
    focus: 'arts',
    level: 'basic',
    ageFrom: 6,
    ageTo: 14,
    hoursPerYear: 216,
    gradesEnabled: false,
    description: 'Классический, народный и современный танец.',
    subgroups: 3,
    lessonHours: 2,
    perWeek: 3,
    minutesPerHour: 45,
    plan: [
      {
        section: 'Азбука движения',
        topics: ['Позиции ног и рук', 'Партерная гимнастика', 'Ритмика'],
      },
      {
        section: 'Народный танец',
        topics: ['Русский хоровод', 'Казачий танец', 'Татарский танец'],
      },
      {
        section: 'Постановка',
        topics: ['Разучивание номера', 'Репетиция', 'Концертное выступление'],
      },
    ],
  },
  {
    key: 'local',
    name: 'Юный краевед',
    focus: 'tourism',
    level: 'start',
    ageFrom: 10,
    ageTo: 15,
    hoursPerYear: 72,
    gradesEnabled: false,
    description: 'История и география Оренбургского края, походы и экскурсии.',
    subgroups: 2,
    lessonHours: 2,
    perWeek: 1,
    minutesPerHour: 45,
    plan: [
      {
        section: 'История края',
        topics: ['Основание Оренбурга', 'Пугачёвское восстание', 'Оренбург в годы войны'],
      },
      {
        section: 'Туризм',
        topics: ['Топография', 'Ориентирование', 'Узлы', 'Подготовка к походу'],
      },
    ],
  },
  {
    key: 'media',
    name: 'Юный журналист',
    focus: 'social',
    level: 'advanced',
    ageFrom: 12,
    ageTo: 17,
    hoursPerYear: 108,
    gradesEnabled: true,
    description: 'Школьная газета, интервью, фото- и видеорепортаж.',
    subgroups: 2,
    lessonHours: 1.5,
    perWeek: 2,
    minutesPerHour: 45,
    plan: [
      { section: 'Жанры', topics: ['Заметка', 'Интервью', 'Репортаж', 'Очерк'] },
      { section: 'Медиа', topics: ['Фотосъёмка', 'Видеосюжет', 'Вёрстка номера'] },
    ],
  },
];

/** Weekday patterns (ISO: 1 Monday … 7 Sunday) for one, two or three lessons a week. */
export const WEEKDAY_PATTERNS: Record<number, number[][]> = {
  1: [[6], [3], [5], [2], [7], [4]],
  2: [
    [1, 3],
    [2, 4],
    [3, 5],
    [2, 5],
    [1, 4],
    [4, 6],
  ],
  3: [
    [1, 3, 5],
    [2, 4, 6],
    [1, 4, 6],
  ],
};

/** Start times by a teacher's k-th subgroup, two hours apart so one teacher never clashes. */
export const START_TIMES = ['14:00', '16:00', '18:00', '10:00'];

export const HOMEWORK = [
  'Повторить материал занятия',
  'Подготовить эскиз',
  'Выполнить упражнение из тетради',
  'Принести материалы к следующему занятию',
  'Закончить работу дома',
];

export const QUALIFICATIONS = [
  'Педагог дополнительного образования',
  'Учитель изобразительного искусства',
  'Учитель физики и информатики',
  'Хореограф, преподаватель',
  'Учитель биологии',
  'Тренер-преподаватель по шахматам',
  'Учитель истории и обществознания',
];
