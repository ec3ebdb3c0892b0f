/** Price formatting: one formatter per (locale, currency), and a readable fallback when Intl rejects them. */
const formatters = new Map<string, Intl.NumberFormat | null>();

export function formatPrice(price: number | null | undefined, locale: string | undefined, currency: string): string {
  if (typeof price !== "number" || !Number.isFinite(price)) return "";
  const key = `${locale ?? ""}|${currency}`;
  let formatter = formatters.get(key);
  if (formatter === undefined) {
    try {
      formatter = new Intl.NumberFormat(locale || undefined, { style: "currency", currency });
    } catch {
      // An invalid locale or currency code from the host page must not break the widget.
      formatter = null;
    }
    formatters.set(key, formatter);
  }
  return formatter ? formatter.format(price) : `${price.toFixed(2)} ${currency}`;
}

/** Only web links and inline images may reach href/src: item metadata is data, not code. */
export function safeUrl(url: string | undefined, allowDataImage: boolean): string {
  if (!url) return "";
  const trimmed = url.trim();
  if (allowDataImage && /^data:image\/(png|jpe?g|gif|webp|avif|svg\+xml)[;,]/i.test(trimmed)) return trimmed;
  try {
    const parsed = new URL(trimmed, document.baseURI);
    return parsed.protocol === "https:" || parsed.protocol === "http:" ? parsed.href : "";
  } catch {
    return "";
  }
}
