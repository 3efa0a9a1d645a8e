import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { CommandInput, CommandItem, CommandList, CommandRoot } from "cmdk";
import { useEffect, useRef, useState } from "react";
import { MAX_QUERY_LENGTH } from "../../../core/search-limits.ts";
import { searchMovies } from "../api.ts";
import { queryKeys } from "../query-keys.ts";
import {
  capQuery,
  type ExplicitFilters,
  type FilterChip,
  filterChips,
  removeChip,
} from "../search-filters.ts";
import { ErrorAlert } from "./ErrorAlert.tsx";
import { Highlight } from "./Highlight.tsx";

const DEBOUNCE_MS = 200;

/** What the palette remembers between openings, kept by the parent. */
export interface PaletteState {
  input: string;
  filters: ExplicitFilters;
}

export const EMPTY_PALETTE: PaletteState = { input: "", filters: { genres: [] } };

interface CommandPaletteProps {
  state: PaletteState;
  onStateChange: (state: PaletteState) => void;
  /** `restoreFocus` is false when a movie was chosen: focus then goes to its heading. */
  onClose: (restoreFocus: boolean) => void;
  onSelect: (movieId: number) => void;
}

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

/**
 * The search palette: a modal <dialog> (top layer, inert page behind,
 * Escape as "cancel") around cmdk, which gives the listbox and the
 * keyboard navigation. Filtering is the server's, so cmdk's is off.
 */
export function CommandPalette({ state, onStateChange, onClose, onSelect }: CommandPaletteProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    // Reopening keeps the last search; selecting it lets typing replace it.
    input.current?.select();
    // No close() on unmount: removal leaves the top layer without a "close"
    // event, which would otherwise restore focus over the chosen movie's heading.
  }, []);

  // Text and filters settle together, so a chip removal never sends new
  // filters with the old text.
  const settled = useDebounced(state, DEBOUNCE_MS);
  const q = settled.input.trim();
  const filters = settled.filters;
  const search = useQuery({
    queryKey: queryKeys.search(q, filters),
    queryFn: ({ signal }) => searchMovies(q, filters, signal),
    enabled: q.length > 0,
    // Shows the last answer while the next loads. Each query string has its
    // own cache entry and only the current one is shown, so a slow, older
    // response never replaces a newer one; leaving a key aborts its fetch.
    placeholderData: keepPreviousData,
    staleTime: 60_000,
  });

  const data = q ? search.data : undefined;
  const results = data?.results ?? [];
  const applied = data?.filters.applied ?? [];
  const chips = data ? filterChips(applied, filters, data.filters.like) : [];
  const typing = settled !== state;
  const searching = state.input.trim() !== "" && (typing || search.isFetching);
  const empty =
    q !== "" && !searching && !search.isError && !search.isPlaceholderData && results.length === 0;

  const remove = (chip: FilterChip) => {
    // Chips exist only with an answer, which says which filters were in effect.
    const next = removeChip(state.input, data?.filters.effective ?? filters, chip);
    onStateChange({ input: next.query, filters: next.filters });
    input.current?.focus();
  };

  return (
    // biome-ignore lint/a11y/useKeyWithClickEvents: the click is on the backdrop; Escape is its keyboard twin
    <dialog
      ref={dialog}
      className="palette"
      aria-label="Search movies"
      onCancel={(event) => {
        event.preventDefault();
        onClose(true);
      }}
      onClose={() => onClose(true)}
      onClick={(event) => {
        // Only the backdrop: the dialog box itself is filled by its content.
        if (event.target === event.currentTarget) onClose(true);
      }}
    >
      <CommandRoot label="Search movies" shouldFilter={false} loop>
        <CommandInput
          ref={input}
          aria-label="Search movies"
          placeholder="Describe a movie, or type a title…"
          maxLength={MAX_QUERY_LENGTH}
          value={state.input}
          onValueChange={(value) => onStateChange({ ...state, input: capQuery(value) })}
        />
        {chips.length > 0 ? (
          <ul className="chips" aria-label="Filters">
            {chips.map((chip) => (
              <li key={chip.key}>
                <button
                  type="button"
                  className="chip"
                  aria-label={`Remove filter ${chip.label}`}
                  onClick={() => remove(chip)}
                >
                  {chip.label} <span aria-hidden="true">×</span>
                </button>
              </li>
            ))}
          </ul>
        ) : null}
        <div className="palette-status" aria-live="polite">
          {searching ? "Searching…" : null}
          {empty ? "No movies found" : null}
          {!searching && data && data.degraded.length > 0
            ? `Some results may be missing (${data.degraded.join(", ")} unavailable).`
            : null}
        </div>
        {search.isError && !searching ? <ErrorAlert error={search.error} /> : null}
        <CommandList label="Movies">
          {results.map((r) => (
            <CommandItem
              key={r.movieId}
              value={String(r.movieId)}
              onSelect={() => onSelect(r.movieId)}
            >
              <span className="result-title">{r.title}</span>
              {r.year ? <span className="result-year"> ({r.year})</span> : null}
              <span className="result-genres">{r.genres.join(", ")}</span>
              {r.highlight ? <Highlight text={r.highlight} /> : null}
            </CommandItem>
          ))}
        </CommandList>
        {!q ? (
          <p className="muted palette-hint">Try “90s comedies about friendship” or a title.</p>
        ) : null}
      </CommandRoot>
    </dialog>
  );
}
