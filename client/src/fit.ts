// Fitting text into a box without clipping it: the font shrinks from `max`
// down to `floor` (binary search, a handful of layouts); when even the floor
// overflows, the caller's compact layout is tried; as a last resort the font
// goes below the floor to `last`, because a projected text must be whole.

export interface FitOptions {
  /** Font sizes in rem. */
  max: number;
  floor: number;
  last: number;
  /** Switches a more compact layout on or off (e.g. a class on a grid). */
  compact?: (on: boolean) => void;
}

export type Fitted = "fits" | "compact" | "below-floor";

function overflows(box: HTMLElement): boolean {
  return box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1;
}

function largestFitting(box: HTMLElement, text: HTMLElement, low: number, high: number): number | null {
  text.style.fontSize = `${low}rem`;
  if (overflows(box)) return null;
  // Two hundredths of a rem is finer than anyone can see.
  while (high - low > 0.02) {
    const mid = (low + high) / 2;
    text.style.fontSize = `${mid}rem`;
    if (overflows(box)) high = mid;
    else low = mid;
  }
  text.style.fontSize = `${low}rem`;
  return low;
}

/** Sizes `text` (inside `box`, whose size the layout fixes) to the largest font that fits. */
export function fitText(box: HTMLElement, text: HTMLElement, options: FitOptions): Fitted {
  options.compact?.(false);
  if (largestFitting(box, text, options.floor, options.max) !== null) return "fits";
  if (options.compact) {
    options.compact(true);
    if (largestFitting(box, text, options.floor, options.max) !== null) return "compact";
  }
  largestFitting(box, text, options.last, options.floor);
  // Smaller than `last` the text would be unreadable anyway; it stays at `last`.
  if (overflows(box)) text.style.fontSize = `${options.last}rem`;
  return "below-floor";
}
