import { useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { getRecommendations, type Recommendation, type Session } from "../api.ts";
import { queryKeys } from "../query-keys.ts";
import { ErrorAlert } from "./ErrorAlert.tsx";
import { Explanation } from "./Explanation.tsx";

interface RecommendationsProps {
  session: Session | null;
  /** Changes when the user navigates here, so focus moves to the heading. */
  focusKey: number;
  onOpenMovie: (movieId: number) => void;
}

export function Recommendations({ session, focusKey, onOpenMovie }: RecommendationsProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  // Each navigation here moves focus to the heading; the first page load does not.
  useEffect(() => {
    if (focusKey > 0) heading.current?.focus();
  }, [focusKey]);
  if (!session)
    return (
      <section className="recommendations">
        <h2 ref={heading} tabIndex={-1}>
          Sign in to get recommendations
        </h2>
        <p className="muted">
          Use the demo sign-in above with any MovieLens user id (1–610), or search for a movie.
        </p>
      </section>
    );
  return (
    <section className="recommendations" aria-labelledby="recs-title">
      <h2 id="recs-title" ref={heading} tabIndex={-1}>
        Recommended for you
      </h2>
      <RecommendationList session={session} onOpenMovie={onOpenMovie} />
    </section>
  );
}

function RecommendationList({
  session,
  onOpenMovie,
}: {
  session: Session;
  onOpenMovie: (movieId: number) => void;
}) {
  const recs = useQuery({
    queryKey: queryKeys.recommendations(session.userId),
    queryFn: ({ signal }) => getRecommendations(session.token, signal),
  });
  if (recs.isPending) return <p className="muted">Loading recommendations…</p>;
  if (recs.isError) return <ErrorAlert error={recs.error} />;
  const { results, degraded } = recs.data;
  return (
    <>
      {degraded.length > 0 ? (
        <p className="note">
          Some signals were unavailable ({degraded.join(", ")}); results may be less personal.
        </p>
      ) : null}
      {results.length === 0 ? (
        <p>No recommendations yet. Rate a few movies (search with Ctrl+K or /) to get some.</p>
      ) : (
        <div className="grid">
          {results.map((r) => (
            <Card key={r.movieId} rec={r} session={session} onOpenMovie={onOpenMovie} />
          ))}
        </div>
      )}
    </>
  );
}

function Card({
  rec,
  session,
  onOpenMovie,
}: {
  rec: Recommendation;
  session: Session;
  onOpenMovie: (movieId: number) => void;
}) {
  const [explaining, setExplaining] = useState(false);
  return (
    <article className="card" aria-label={rec.title}>
      <h3>
        <a href={`#/movie/${rec.movieId}`}>{rec.title}</a>
      </h3>
      <p className="meta">{[rec.year, rec.genres.join(", ")].filter(Boolean).join(" · ")}</p>
      {rec.because.length > 0 ? (
        <p className="because">
          Because you rated: {rec.because.map((b) => `${b.title} (${b.yourRating}★)`).join(", ")}
        </p>
      ) : null}
      <button type="button" aria-expanded={explaining} onClick={() => setExplaining((v) => !v)}>
        Why this?
      </button>
      {explaining ? (
        <Explanation session={session} movieId={rec.movieId} onOpenMovie={onOpenMovie} />
      ) : null}
    </article>
  );
}
