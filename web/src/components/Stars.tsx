import { useId, useState } from "react";

const HALVES = Array.from({ length: 10 }, (_, i) => (i + 1) / 2);

export const starsLabel = (value: number) => `${value} ${value === 1 ? "star" : "stars"}`;

interface StarsProps {
  value: number | null;
  onChange: (value: number) => void;
  disabled?: boolean;
}

/**
 * Half-star rating as native radio buttons (arrow keys, labels and the
 * radiogroup come for free); each label is half a star, drawn in CSS.
 */
export function Stars({ value, onChange, disabled = false }: StarsProps) {
  const name = useId();
  const [hover, setHover] = useState<number | null>(null);
  const shown = hover ?? value ?? 0;
  return (
    <div
      role="radiogroup"
      aria-label="Your rating"
      className="stars"
      onMouseLeave={() => setHover(null)}
    >
      {HALVES.map((half) => (
        <label
          key={half}
          className={`star-half ${half % 1 === 0 ? "right" : "left"} ${half <= shown ? "on" : ""}`}
          onMouseEnter={() => setHover(half)}
        >
          <input
            type="radio"
            name={name}
            value={half}
            aria-label={starsLabel(half)}
            checked={value === half}
            disabled={disabled}
            onChange={() => onChange(half)}
          />
          <span aria-hidden="true">★</span>
        </label>
      ))}
    </div>
  );
}
