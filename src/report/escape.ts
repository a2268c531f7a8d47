/**
 * Escaping for everything the report writes: user-provided text (file names, labels, config strings) must never
 * become markup or script in the page, and tables must stay one value per cell.
 */

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text → HTML text or attribute value (quotes escaped too, so it is safe inside "…" and '…'). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * JSON to place inside a `<script>` element. `<`, `>` and `&` become \u escapes, so no `</script>` or `<!--` can
 * end or alter the element whatever the strings hold; U+2028/2029 are escaped for older JS parsers. JSON.parse
 * reads it back unchanged.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * A library's source to inline in a `<script>` element. Fails loudly if the text could end the element early or
 * switch the HTML parser into its script-escape state; the bundled libraries contain neither.
 */
export function scriptSource(name: string, source: string): string {
  if (/<\/script|<!--/i.test(source)) {
    throw new Error(`${name} contains "</script" or "<!--" and cannot be inlined into the report safely`);
  }
  return source;
}

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote, or line break. Text that a spreadsheet would run
 * as a formula (starting with = + @ or a tab) gets a leading apostrophe; numbers are written as numbers.
 */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let s = String(value);
  if (/^[=+@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Rows (first row = header) → CSV text with a final newline. */
export function toCsv(rows: readonly (readonly (string | number | boolean | null | undefined)[])[]): string {
  return rows.map((r) => r.map(csvField).join(',')).join('\n') + '\n';
}
