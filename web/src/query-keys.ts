/**
 * Query keys in one place. Everything that depends on who is signed in sits
 * under ["user", userId], so signing out drops it in one call.
 */
export const queryKeys = {
  search: (q: string, filters: unknown) => ["search", q, filters] as const,
  movie: (movieId: number) => ["movie", movieId] as const,
  user: (userId: number) => ["user", userId] as const,
  rating: (userId: number, movieId: number) => ["user", userId, "rating", movieId] as const,
  recommendations: (userId: number) => ["user", userId, "recommendations"] as const,
  explanations: (userId: number) => ["user", userId, "explain"] as const,
  explanation: (userId: number, movieId: number) => ["user", userId, "explain", movieId] as const,
};
