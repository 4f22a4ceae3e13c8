/** Number and time formatting for the dashboard (English, compact). */
const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
const whole = new Intl.NumberFormat('en');

export const count = (n: number): string => (Math.abs(n) < 10_000 ? whole.format(Math.round(n)) : compact.format(n));

export function bytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let i = 0;
  while (Math.abs(n) >= 1000 && i < units.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n.toFixed(n < 10 && i > 0 ? 1 : 0)} ${units[i]}`;
}

export const percent = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(part === whole || part === 0 ? 0 : 1)}%` : '–');

export function duration(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

export const clock = (unixSeconds: number): string => new Date(unixSeconds * 1000).toISOString().slice(11, 19) + ' UTC';

const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
export function countryName(code: string): string {
  if (code === '??') return 'Unknown';
  if (code === '(other)') return 'Other';
  try {
    return regionNames.of(code) ?? code;
  } catch {
    return code;
  }
}
