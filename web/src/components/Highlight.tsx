/**
 * Why a result matched: the overview sentence the query's meaning found, or
 * the fragment where its words matched, with those words marked. The API
 * marks words as <b>…</b> (Postgres' ts_headline); everything else is text,
 * rendered as text, never as HTML.
 */
export function Highlight({ text }: { text: string }) {
  const parts = text.split(/<b>(.*?)<\/b>/g);
  return (
    <span className="result-highlight">
      {parts.map((part, i) =>
        // Odd parts are the marked words.
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one string, in order
        i % 2 === 1 ? <mark key={i}>{part}</mark> : <span key={i}>{part}</span>,
      )}
    </span>
  );
}
