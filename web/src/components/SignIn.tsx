import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { ApiError, demoSignIn, errorMessage } from "../api.ts";
import { clearSession, saveSession, useSession } from "../auth.ts";
import { queryKeys } from "../query-keys.ts";

/** MovieLens "small" has users 1 to 610. */
const MAX_USER = 610;

/**
 * Demo sign-in: any MovieLens user, no password. Only local and demo
 * deployments offer it (the API answers 404 elsewhere), so it says so plainly.
 */
export function SignIn() {
  const session = useSession();
  const queryClient = useQueryClient();
  const [userId, setUserId] = useState("1");
  const signIn = useMutation({
    mutationFn: (id: number) => demoSignIn(id),
    onSuccess: (created) => saveSession(created),
  });

  if (session) {
    return (
      <div className="signin">
        <span className="demo-badge">Demo</span>
        <span>Signed in as user {session.userId} (demo)</span>
        <button
          type="button"
          onClick={() => {
            queryClient.removeQueries({ queryKey: queryKeys.user(session.userId) });
            clearSession();
            signIn.reset();
          }}
        >
          Sign out
        </button>
      </div>
    );
  }

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const id = Number(userId);
    if (Number.isInteger(id) && id >= 1 && id <= MAX_USER) signIn.mutate(id);
  };
  const error = signIn.error;
  return (
    <form className="signin" onSubmit={submit}>
      <span className="demo-badge" title="No password: pick any MovieLens user to try the page">
        Demo
      </span>
      <input
        type="number"
        aria-label="Demo user id"
        min={1}
        max={MAX_USER}
        step={1}
        required
        value={userId}
        onChange={(e) => setUserId(e.target.value)}
      />
      <button type="submit" disabled={signIn.isPending}>
        Sign in (demo)
      </button>
      {error ? (
        <p role="alert" className="error">
          {error instanceof ApiError && error.status === 404
            ? "Demo sign-in is off in this deployment."
            : errorMessage(error)}
        </p>
      ) : null}
    </form>
  );
}
