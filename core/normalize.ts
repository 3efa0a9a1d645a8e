/**
 * Text and titles as Marquee compares them: lower case, accents stripped,
 * "&" as "and", punctuation as word breaks. One rule for the explanation
 * checks (which find titles inside prose) and for joining titles across
 * sources at ingest (titleKey), so the two cannot disagree.
 */

/**
 * Replaces spans already accounted for (context titles, people, tags) so later
 * scans neither see them nor join words across them. It is neither a letter
 * nor a digit, so it breaks capitalised runs and year matches, and
 * normalisation keeps it as a word of its own that never matches anything.
 */
export const MASK = "¤";

export interface Normalized {
  /** Lower case, accents stripped, "&" as "and", words separated by single spaces. */
  text: string;
  /** For each UTF-16 unit of `text`, the index in the source it came from. */
  map: number[];
}

/**
 * Normalises text and remembers where each character came from, so a match
 * found in the forgiving form ("se7en s" for "Se7en's") can be located, and
 * masked, in the original.
 */
export function normalizeWithMap(source: string): Normalized {
  let text = "";
  const map: number[] = [];
  let index = 0;
  for (const ch of source) {
    const at = index;
    index += ch.length;
    const piece =
      ch === "&"
        ? " and "
        : ch === MASK
          ? MASK
          : ch
              .normalize("NFKD")
              .replace(/\p{M}+/gu, "")
              .toLowerCase();
    for (const out of piece) {
      if (out === MASK || /[\p{L}\p{N}]/u.test(out)) {
        text += out;
        for (let k = 0; k < out.length; k++) map.push(at);
      } else if (text.length > 0 && !text.endsWith(" ")) {
        text += " ";
        map.push(at);
      }
    }
  }
  if (text.endsWith(" ")) {
    text = text.slice(0, -1);
    map.pop();
  }
  return { text, map };
}

/** The normalised form of `source` alone. */
export function normalizeText(source: string): string {
  return normalizeWithMap(source).text;
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
