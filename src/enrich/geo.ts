/**
 * What we know about a public address. Keys are in output order; null where the data has no answer. In a file of its
 * own so the dashboard can use the type without the enricher's imports (databases, Node.js modules).
 */
export interface Geo {
  country_code: string | null;
  country: string | null;
  region: string | null;
  city: string | null;
  latitude: number | null;
  longitude: number | null;
  accuracy_km: number | null;
  asn: number | null;
  as_org: string | null;
}
