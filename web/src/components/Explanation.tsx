import {
  experimental_streamedQuery as streamedQuery,
  useMutation,
  useQuery,
} from "@tanstack/react-query";
import { useState } from "react";
import {
  type ExplainChunk,
  type Explanation as ExplanationData,
  errorMessage,
  type Session,
  sendFeedback,
  streamExplanation,
} from "../api.ts";
import { queryKeys } from "../query-keys.ts";
import { ErrorAlert } from "./ErrorAlert.tsx";

interface Streamed {
  text: string;
  final: ExplanationData | null;
}

const EMPTY: Streamed = { text: "", final: null };

/** Folds stream chunks into what is on screen: deltas append, reset clears, done settles. */
function reduce(state: Streamed, chunk: ExplainChunk): Streamed {
  if (chunk.type === "delta") return { ...state, text: state.text + chunk.text };
  if (chunk.type === "reset") return EMPTY;
  return { text: chunk.explanation.explanation, final: chunk.explanation };
}

const SOURCE: Record<ExplanationData["source"], string> = {
  claude: "Claude",
  cache: "cached",
  fallback: "offline explainer",
};

const ratingText = (rating: number) => `${rating}★`;

interface ExplanationProps {
  session: Session;
  movieId: number;
  onOpenMovie: (movieId: number) => void;
}

/**
 * "Why this?" for one movie, streamed. The query lives under the user's
 * explanation key, so a rating change invalidates it and, if it is on
 * screen, streams a fresh one (the server's cache key includes the user's
 * ratings version, so that is a new explanation, with a new generatedAt).
 */
export function Explanation({ session, movieId, onOpenMovie }: ExplanationProps) {
  const query = useQuery({
    queryKey: queryKeys.explanation(session.userId, movieId),
    queryFn: streamedQuery<ExplainChunk, Streamed, ReturnType<typeof queryKeys.explanation>>({
      streamFn: ({ signal }) => streamExplanation(session.token, movieId, signal),
      reducer: reduce,
      initialValue: EMPTY,
    }),
    // A finished explanation stays valid until the user's ratings change (invalidated then).
    staleTime: Number.POSITIVE_INFINITY,
    // 429s and model failures are for the user to retry, not a loop.
    retry: false,
  });
  const streaming = query.fetchStatus === "fetching";
  const final = query.data?.final ?? null;
  const text = query.isError ? "" : (query.data?.text ?? "");
  return (
    <section
      // biome-ignore lint/a11y/noRedundantRoles: spelled out for selectors that look for [role="region"]
      role="region"
      aria-label="Why this?"
      aria-live="polite"
      aria-busy={streaming}
      data-generated-at={final?.generatedAt}
      className="explanation"
    >
      {query.isError ? (
        <div role="alert" className="error">
          {errorMessage(query.error)}{" "}
          <button type="button" onClick={() => query.refetch()}>
            Try again
          </button>
        </div>
      ) : null}
      {streaming && !text ? <p className="muted">Thinking…</p> : null}
      {text ? <p className="explanation-text">{text}</p> : null}
      {final && !streaming ? (
        <>
          <p className="muted">
            Confidence: {final.confidence} · Source: {SOURCE[final.source] ?? final.source}
          </p>
          {final.evidence.length > 0 ? (
            <ul className="chips" aria-label="Evidence">
              {final.evidence.map((e) => (
                <li key={e.movieId}>
                  <button
                    type="button"
                    className="chip"
                    title={e.why}
                    onClick={() => onOpenMovie(e.movieId)}
                  >
                    {e.title} · you rated {ratingText(e.yourRating)}
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
          <Feedback key={final.generatedAt} session={session} movieId={movieId} />
        </>
      ) : null}
    </section>
  );
}

function Feedback({ session, movieId }: { session: Session; movieId: number }) {
  const [helpful, setHelpful] = useState<boolean | null>(null);
  const [reason, setReason] = useState("");
  const send = useMutation({
    mutationFn: () => {
      const trimmed = reason.trim();
      return sendFeedback(session.token, movieId, {
        helpful: helpful ?? true,
        ...(trimmed ? { reason: trimmed.slice(0, 500) } : {}),
      });
    },
  });
  if (send.isSuccess) return <p className="muted">Thanks for the feedback</p>;
  return (
    <div className="feedback">
      <span>Was this helpful?</span>
      <button type="button" aria-pressed={helpful === true} onClick={() => setHelpful(true)}>
        Helpful
      </button>
      <button type="button" aria-pressed={helpful === false} onClick={() => setHelpful(false)}>
        Not helpful
      </button>
      <textarea
        aria-label="Why? (optional)"
        maxLength={500}
        rows={2}
        value={reason}
        onChange={(e) => setReason(e.target.value.slice(0, 500))}
      />
      <button
        type="button"
        disabled={helpful === null || send.isPending}
        onClick={() => send.mutate()}
      >
        Send feedback
      </button>
      {send.isError ? <ErrorAlert error={send.error} /> : null}
    </div>
  );
}
