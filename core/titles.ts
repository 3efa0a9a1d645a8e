/** A MovieLens title taken apart: "Matrix, The (1999)" -> { title: "The Matrix", year: 1999 }. */
export interface ParsedTitle {
  title: string;
  year: number | null;
  /** Other names the movie goes by ("a.k.a." and original-language titles), display form. */
  alternateTitles: string[];
}

// Articles MovieLens moves to the end ("Cité des enfants perdus, La"), in the languages it uses.
const TRAILING_ARTICLE =
  /^(.*),\s+(The|A|An|La|Le|Les|L'|Il|Lo|I|Gli|El|Los|Las|Das|Der|Die|Den|Det|De|Een|Het|Un|Une|Una|Uno|O|Os|As)$/i;
const YEAR_SUFFIX = /\s*\((\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\)\s*$/;
const TRAILING_PARENTHESES = /\s*\(([^()]+)\)\s*$/;
const AKA = /^(?:a\.k\.a\.|aka)\s+/i;

/** "Matrix, The" -> "The Matrix"; "Auberge espagnole, L'" -> "L'Auberge espagnole". */
export function restoreArticle(name: string): string {
  const match = TRAILING_ARTICLE.exec(name.trim());
  if (!match) return name.trim();
  const [, rest = "", article = ""] = match;
  return article.endsWith("'") ? `${article}${rest.trim()}` : `${article} ${rest.trim()}`;
}

/** Parses a MovieLens `movies.csv` title. Never throws: an odd title stays as it is. */
export function parseMovieLensTitle(raw: string): ParsedTitle {
  let rest = raw.trim();
  let year: number | null = null;
  const yearMatch = YEAR_SUFFIX.exec(rest);
  if (yearMatch) {
    year = Number(yearMatch[1]);
    rest = rest.slice(0, yearMatch.index).trim();
  }
  // Up to two trailing groups are alternate names: "Seven (a.k.a. Se7en)",
  // "Shall We Dance? (Shall We Dansu?)". A title that is only parentheses stays.
  const alternates: string[] = [];
  for (let i = 0; i < 2; i++) {
    const group = TRAILING_PARENTHESES.exec(rest);
    if (!group || group.index === 0) break;
    alternates.unshift(restoreArticle((group[1] ?? "").replace(AKA, "")));
    rest = rest.slice(0, group.index).trim();
  }
  const title = restoreArticle(rest) || raw.trim();
  return { title, year, alternateTitles: alternates.filter((a) => a && a !== title) };
}
