/**
 * The search API's limit on `q`, in UTF-16 code units: one constant for the
 * route's schema and the page's input, so the two cannot disagree.
 */
export const MAX_QUERY_LENGTH = 200;
