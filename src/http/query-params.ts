/** Query-string helpers shared by the routes. */

/** Splits `a,b,c` (the list form of multi-value filters). */
export function csv(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}
