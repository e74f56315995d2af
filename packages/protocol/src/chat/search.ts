/**
 * The longest `history:search` query, in characters.
 *
 * @example
 * ```ts
 * const query = input.slice(0, MAX_SEARCH_QUERY_LENGTH);
 * ```
 */
export const MAX_SEARCH_QUERY_LENGTH = 200;

/**
 * Most words one `history:search` query may hold.
 *
 * @example
 * ```ts
 * const tooMany = searchTerms(input).length > MAX_SEARCH_TERMS;
 * ```
 */
export const MAX_SEARCH_TERMS = 10;

/**
 * Most messages one `history:search` answer holds.
 *
 * @example
 * ```ts
 * const found = await chat.client.request('history:search', { roomId: 'general', query: 'hello', limit: MAX_SEARCH_LIMIT });
 * ```
 */
export const MAX_SEARCH_LIMIT = 100;

/** A word: a run of letters, digits and marks (the rest separates words). */
const TERM = /[\p{L}\p{N}\p{M}\p{Co}]+/gu;

/**
 * The words a search query looks for, in query order: runs of letters, digits and combining marks;
 * everything else (spaces, punctuation, symbols, emoji, operators of any query language) only
 * separates them. A message matches when each word starts a word of its text, ignoring case.
 * @example searchTerms('"hello", wor*') // ['hello', 'wor']
 */
export function searchTerms(query: string): string[] {
  return query.match(TERM) ?? [];
}
