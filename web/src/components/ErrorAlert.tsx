import { errorMessage } from "../api.ts";

/** A failed request's message, announced to screen readers as it appears. */
export function ErrorAlert({ error }: { error: unknown }) {
  return (
    <p role="alert" className="error">
      {errorMessage(error)}
    </p>
  );
}
