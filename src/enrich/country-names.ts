const names = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
const cache = new Map<string, string | null>();

/** English name of an ISO 3166-1 alpha-2 code (`DE` → `Germany`), or null for codes with no name (`ZZ`). */
export function countryName(code: string): string | null {
  let name = cache.get(code);
  if (name === undefined) {
    try {
      name = names.of(code.toUpperCase()) ?? null;
      if (name === 'Unknown Region') name = null;
    } catch {
      name = null;
    }
    cache.set(code, name);
  }
  return name;
}
