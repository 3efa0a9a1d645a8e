/** Anything with node-postgres' query(): the Neon driver's Pool or HTTP query in the Worker, pg's in Node. */
export interface Queryable {
  query(text: string, params: unknown[]): Promise<{ rows: unknown[] }>;
}
