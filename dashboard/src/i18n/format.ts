import { useTranslation } from 'react-i18next';

/** Numbers, money and dates through Intl in the user's language. */
export type Formatters = {
  number(value: number): string;
  percent(ratio: number): string;
  /** `amount` is the API's decimal string in the currency's minor digits (e.g. "199.000" KWD). */
  money(amount: string | number, currency: string): string;
  date(value: string | Date): string;
  dateTime(value: string | Date): string;
  time(value: string | Date): string;
  duration(seconds: number): string;
};

const cache = new Map<string, Formatters>();

export const formattersFor = (locale: string): Formatters => {
  const cached = cache.get(locale);
  if (cached) return cached;
  const numberFormat = new Intl.NumberFormat(locale);
  const percentFormat = new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 });
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const dateTimeFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  const timeFormat = new Intl.DateTimeFormat(locale, { timeStyle: 'short' });
  const toDate = (value: string | Date) => (value instanceof Date ? value : new Date(value));
  const formatters: Formatters = {
    number: (value) => numberFormat.format(value),
    percent: (ratio) => percentFormat.format(ratio),
    money: (amount, currency) => {
      const text = String(amount);
      const digits = text.includes('.') ? text.split('.')[1]!.length : 0;
      try {
        return new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: digits, maximumFractionDigits: digits }).format(Number(text));
      } catch {
        return `${new Intl.NumberFormat(locale, { minimumFractionDigits: digits }).format(Number(text))} ${currency}`;
      }
    },
    date: (value) => dateFormat.format(toDate(value)),
    dateTime: (value) => dateTimeFormat.format(toDate(value)),
    time: (value) => timeFormat.format(toDate(value)),
    duration: (seconds) => {
      const units: [Intl.RelativeTimeFormatUnit, number][] = [['hour', 3600], ['minute', 60], ['second', 1]];
      for (const [unit, size] of units) {
        if (seconds >= size || unit === 'second') {
          // In full: Arabic has no customary unit abbreviations ("35 ث" is unreadable).
          return new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long', maximumFractionDigits: 1 }).format(seconds / size);
        }
      }

      return String(seconds);
    },
  };
  cache.set(locale, formatters);

  return formatters;
};

export const useFormat = (): Formatters => {
  const { i18n } = useTranslation();

  return formattersFor(i18n.language);
};
