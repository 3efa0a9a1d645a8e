/**
 * Text and titles as Marquee compares them: lower case, accents stripped,
 * "&" as "and", punctuation as word breaks. One rule for joining titles
 * across sources at ingest (titleKey) and for the explanation checks'
 * phrase matching.
 */

/** The normalised form of `source`: lower case, accents stripped, "&" as "and", words separated by single spaces. */
export function normalizeText(source: string): string {
  return source
    .replaceAll("&", " and ")
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

/**
 * The key for tolerant title matching: lower case, no accents, punctuation as
 * spaces, no leading article, no parenthetical suffix ("Seven (a.k.a. Se7en)"
 * -> "seven"), no trailing possessive. "The Matrix", "matrix" and "Matrix's"
 * all give "matrix"; "Monsters, Inc." gives "monsters inc".
 */
export function normalizeTitle(title: string): string {
  let t = title.trim();
  for (;;) {
    const group = /\s*\([^()]*\)\s*$/.exec(t);
    if (!group || group.index === 0) break;
    t = t.slice(0, group.index);
  }
  t = t.replace(/^(.*),\s*(the|a|an)$/i, "$2 $1");
  t = t.replace(/[\s.,;:!?…"'”’)\]]+$/u, "").replace(/['’]s$/iu, "");
  return normalizeText(t).replace(/^(?:the|a|an) /, "");
}

/**
 * normalizeTitle without the spaces: a key for joining titles across
 * sources at ingest. "The Lord of the Rings: The Return of the King" and
 * "Lord of the Rings: The Return of the King, The" get the same key.
 */
export function titleKey(title: string): string {
  return normalizeTitle(title).replaceAll(" ", "");
}
