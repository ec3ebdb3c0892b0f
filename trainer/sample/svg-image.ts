/**
 * Product pictures for the sample store: a coloured tile with the product's initials,
 * as an inline `data:image/svg+xml` URI so the demo never fetches an image from the
 * internet. Minimal escaping (single quotes, only %, #, <, > encoded) keeps each one
 * around 350 bytes instead of ~50% more with base64.
 */
export function svgTile(initials: string, hue: number, lightness: number, variant: number): string {
  const bg = hslHex(hue, 55, lightness);
  const accent = hslHex(hue, 60, Math.max(15, lightness - 18));
  // Three simple decorations, so neighbouring tiles of one shelf do not look identical.
  const deco =
    variant % 3 === 0
      ? `<circle cx='128' cy='32' r='22' fill='${accent}'/>`
      : variant % 3 === 1
        ? `<rect x='0' y='124' width='160' height='36' fill='${accent}'/>`
        : `<path d='M0 160L160 96V160Z' fill='${accent}'/>`;
  const svg =
    `<svg xmlns='http://www.w3.org/2000/svg' width='160' height='160' viewBox='0 0 160 160'>` +
    `<rect width='160' height='160' rx='14' fill='${bg}'/>${deco}` +
    `<text x='80' y='98' font-family='Helvetica,Arial,sans-serif' font-size='52' font-weight='700' fill='#fff' text-anchor='middle'>${escapeXml(initials)}</text></svg>`;
  return `data:image/svg+xml,${svg.replace(/%/g, "%25").replace(/#/g, "%23").replace(/</g, "%3C").replace(/>/g, "%3E")}`;
}

/** Up to two initials of the product noun ("Dutch Oven" → "DO", "Wok" → "W"). */
export function initialsOf(words: string): string {
  const letters = words
    .split(/[\s-]+/)
    .filter((w) => /^[A-Za-z]/.test(w))
    .map((w) => w[0].toUpperCase());
  return letters.slice(0, 2).join("") || "?";
}

function escapeXml(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/'/g, "&apos;");
}

function hslHex(h: number, s: number, l: number): string {
  const sat = s / 100;
  const lig = l / 100;
  const a = sat * Math.min(lig, 1 - lig);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = lig - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(255 * c)
      .toString(16)
      .padStart(2, "0");
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}
