import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { deleteRating, getMovie, getRating, putRating, type Rating, type Session } from "../api.ts";
import { queryKeys } from "../query-keys.ts";
import { ErrorAlert } from "./ErrorAlert.tsx";
import { Explanation } from "./Explanation.tsx";
import { Stars } from "./Stars.tsx";

export const TMDB_ATTRIBUTION =
  "Overview from TMDB. This product uses the TMDB API but is not endorsed or certified by TMDB.";

interface MovieViewProps {
  movieId: number;
  session: Session | null;
  /** Changes whenever this movie is opened, so focus moves to its heading again. */
  focusKey: number;
  onOpenMovie: (movieId: number) => void;
}

export function MovieView({ movieId, session, focusKey, onOpenMovie }: MovieViewProps) {
  const movie = useQuery({
    queryKey: queryKeys.movie(movieId),
    queryFn: ({ signal }) => getMovie(movieId, signal),
  });
  const heading = useRef<HTMLHeadingElement>(null);
  const loaded = movie.data !== undefined;
  // biome-ignore lint/correctness/useExhaustiveDependencies: focus follows each opening (focusKey, movieId), once the heading exists
  useEffect(() => {
    if (loaded) heading.current?.focus();
  }, [loaded, movieId, focusKey]);

  if (movie.isPending) return <p className="muted">Loading movie…</p>;
  if (movie.isError) return <ErrorAlert error={movie.error} />;
  const m = movie.data;
  return (
    <article className="movie" aria-labelledby="movie-title">
      <h2 id="movie-title" ref={heading} tabIndex={-1}>
        {m.title}
      </h2>
      <p className="meta">{[m.year, m.genres.join(", ")].filter(Boolean).join(" · ")}</p>
      <dl className="facts">
        {m.director ? (
          <>
            <dt>Director</dt>
            <dd>{m.director}</dd>
          </>
        ) : null}
        {m.topCast?.length ? (
          <>
            <dt>Cast</dt>
            <dd>{m.topCast.join(", ")}</dd>
          </>
        ) : null}
        {m.tags?.length ? (
          <>
            <dt>Tags</dt>
            <dd>
              <ul className="tags">
                {m.tags.map((tag) => (
                  <li key={tag}>{tag}</li>
                ))}
              </ul>
            </dd>
          </>
        ) : null}
      </dl>
      {m.overview ? (
        <div className="overview">
          <p>{m.overview}</p>
          <p className="attribution">{TMDB_ATTRIBUTION}</p>
        </div>
      ) : null}
      {session ? (
        <YourRating key={movieId} session={session} movieId={movieId} onOpenMovie={onOpenMovie} />
      ) : (
        <p className="note">Sign in (demo) to rate this movie and to ask why it fits your taste.</p>
      )}
    </article>
  );
}

function YourRating({
  session,
  movieId,
  onOpenMovie,
}: {
  session: Session;
  movieId: number;
  onOpenMovie: (movieId: number) => void;
}) {
  const queryClient = useQueryClient();
  const [explaining, setExplaining] = useState(false);
  const ratingKey = queryKeys.rating(session.userId, movieId);
  const rating = useQuery({
    queryKey: ratingKey,
    queryFn: ({ signal }) => getRating(session.token, movieId, signal),
  });
  const change = useMutation({
    // One scope per movie: rapid changes (arrow keys) reach the server in order.
    scope: { id: `rating-${session.userId}-${movieId}` },
    mutationKey: ["rate", session.userId, movieId],
    mutationFn: async (value: number | null) => {
      if (value === null) await deleteRating(session.token, movieId);
      else await putRating(session.token, movieId, value);
    },
    onMutate: async (value) => {
      await queryClient.cancelQueries({ queryKey: ratingKey });
      const previous = queryClient.getQueryData<Rating | null>(ratingKey);
      const optimistic: Rating | null =
        value === null ? null : { movieId, rating: value, ratedAt: new Date().toISOString() };
      queryClient.setQueryData<Rating | null>(ratingKey, optimistic);
      return { previous };
    },
    onError: (_error, _value, context) => {
      queryClient.setQueryData(ratingKey, context?.previous ?? null);
    },
    onSettled: () => {
      // Only after the last of a burst: each change would otherwise regenerate explanations.
      if (queryClient.isMutating({ mutationKey: ["rate", session.userId, movieId] }) > 1) return;
      void queryClient.invalidateQueries({ queryKey: ratingKey });
      void queryClient.invalidateQueries({ queryKey: queryKeys.explanations(session.userId) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.recommendations(session.userId) });
    },
  });
  const value = rating.data?.rating ?? null;
  return (
    <div className="your-rating">
      <h3>Your rating</h3>
      {rating.isError ? (
        <ErrorAlert error={rating.error} />
      ) : (
        <div className="rating-row">
          <Stars value={value} onChange={(v) => change.mutate(v)} />
          <span className="muted">{value === null ? "Not rated" : `${value} of 5`}</span>
          {/* aria-disabled, not disabled: focus stays on the button after clearing. */}
          <button
            type="button"
            aria-disabled={value === null}
            onClick={() => value !== null && change.mutate(null)}
          >
            Clear rating
          </button>
        </div>
      )}
      {change.isError ? <ErrorAlert error={change.error} /> : null}
      <button type="button" aria-expanded={explaining} onClick={() => setExplaining((v) => !v)}>
        Why this?
      </button>
      {explaining ? (
        <Explanation session={session} movieId={movieId} onOpenMovie={onOpenMovie} />
      ) : null}
    </div>
  );
}
