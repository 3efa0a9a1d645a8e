import { useCallback, useEffect, useRef, useState } from "react";
import { useSession } from "./auth.ts";
import { CommandPalette, EMPTY_PALETTE, type PaletteState } from "./components/CommandPalette.tsx";
import { MovieView } from "./components/MovieView.tsx";
import { Recommendations } from "./components/Recommendations.tsx";
import { SignIn } from "./components/SignIn.tsx";

/** The view lives in the hash (#/movie/42) so Back works without server routes. */
function movieFromHash(): number | null {
  const match = /^#\/movie\/(\d{1,9})$/.exec(window.location.hash);
  return match ? Number(match[1]) : null;
}

const isMac = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent);

function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLInputElement ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement
  );
}

export function App() {
  const session = useSession();
  const [movieId, setMovieId] = useState(movieFromHash);
  // Bumped on every navigation: the new view moves focus to its heading.
  const [navigation, setNavigation] = useState(0);
  const [paletteOpen, setPaletteOpen] = useState(false);
  const [palette, setPalette] = useState<PaletteState>(EMPTY_PALETTE);
  const returnFocus = useRef<HTMLElement | null>(null);

  useEffect(() => {
    const onHashChange = () => {
      setMovieId(movieFromHash());
      setNavigation((n) => n + 1);
    };
    window.addEventListener("hashchange", onHashChange);
    return () => window.removeEventListener("hashchange", onHashChange);
  }, []);

  const openMovie = useCallback((id: number) => {
    window.location.hash = `#/movie/${id}`;
    // Same movie again: no hashchange, but focus should still go to it.
    setMovieId(id);
    setNavigation((n) => n + 1);
  }, []);

  const openPalette = useCallback(() => {
    setPaletteOpen((open) => {
      if (!open) {
        const active = document.activeElement;
        returnFocus.current = active instanceof HTMLElement ? active : null;
      }
      return true;
    });
  }, []);

  const closePalette = useCallback((restoreFocus: boolean) => {
    setPaletteOpen(false);
    const target = returnFocus.current;
    returnFocus.current = null;
    // After the dialog is gone, or the browser's own dialog focus handling wins.
    if (restoreFocus && target)
      requestAnimationFrame(() => {
        if (target.isConnected) target.focus();
      });
  }, []);

  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === "k") {
        // Ctrl+K is also the browser's own search shortcut.
        event.preventDefault();
        openPalette();
      } else if (
        event.key === "/" &&
        !event.ctrlKey &&
        !event.metaKey &&
        !event.altKey &&
        !isTyping(event.target)
      ) {
        event.preventDefault();
        openPalette();
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [openPalette]);

  return (
    <>
      <header className="header">
        <div className="brand">
          <h1>
            <a href="#/">Marquee</a>
          </h1>
          <p className="tagline">Find movies by describing them.</p>
        </div>
        <div className="search-entry">
          <button type="button" className="search-button" onClick={openPalette}>
            Search movies
          </button>
          <p className="hint">
            Press <kbd>{isMac ? "⌘K" : "Ctrl+K"}</kbd> or <kbd>/</kbd> to search
          </p>
        </div>
        <SignIn />
      </header>
      <main>
        {movieId === null ? (
          <Recommendations session={session} focusKey={navigation} onOpenMovie={openMovie} />
        ) : (
          <>
            <p>
              <a href="#/">← {session ? "Recommendations" : "Home"}</a>
            </p>
            <MovieView
              movieId={movieId}
              session={session}
              focusKey={navigation}
              onOpenMovie={openMovie}
            />
          </>
        )}
      </main>
      {paletteOpen ? (
        <CommandPalette
          state={palette}
          onStateChange={setPalette}
          onClose={closePalette}
          onSelect={(id) => {
            closePalette(false);
            openMovie(id);
          }}
        />
      ) : null}
    </>
  );
}
