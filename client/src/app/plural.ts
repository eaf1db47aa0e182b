/**
 * RU1: a Russian noun after a count agrees with it: 1 тему, 2 темы, 5 тем, 11 тем, 21 тему.
 * `forms` are the forms for 1, for 2–4 and for 5–20.
 */
export function plural(n: number, forms: readonly [one: string, few: string, many: string]) {
  const units = n % 10;
  const tens = n % 100;
  if (tens >= 11 && tens <= 14) return forms[2];
  if (units === 1) return forms[0];
  if (units >= 2 && units <= 4) return forms[1];
  return forms[2];
}

/** «3 изменения». */
export function counted(n: number, forms: readonly [one: string, few: string, many: string]) {
  return `${n} ${plural(n, forms)}`;
}
