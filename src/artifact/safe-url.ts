/**
 * Which catalogue URLs may leave the system: product links must be http(s); images may also be
 * inline raster or SVG data (the sample store draws its tiles that way, and an <img> never runs
 * script). `javascript:`, `data:text/html` and every other scheme are refused. The trainer drops
 * (and reports) refused values; the worker checks again before answering, so an artifact built
 * by anything else cannot hand a hostile URL to an API consumer.
 */
const HTTP = /^https?:\/\/[^\s/]/i;
const DATA_IMAGE = /^data:image\/(png|jpe?g|gif|webp|avif|svg\+xml)[;,]/i;

/** `url` trimmed when it is an http(s) link, else "" (refused). */
export function safeLink(url: string): string {
  const t = url.trim();
  return HTTP.test(t) && !/[\u0000-\u001f\u007f]/.test(t) ? t : "";
}

/** `url` trimmed when it is an http(s) link or inline image data, else "" (refused). */
export function safeImage(url: string): string {
  const t = url.trim();
  return DATA_IMAGE.test(t) && !/[\u0000-\u001f\u007f]/.test(t) ? t : safeLink(t);
}
