/**
 * Escapes untrusted text (titles, overviews, tags, a user's query) for the
 * XML-ish data blocks of a prompt, so it cannot open or close a tag and pass
 * itself off as instructions.
 */
export function escapeData(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
