// Splitting file text for display. The pieces are rendered as text nodes, never as markup.

export interface TextPiece {
  text: string;
  /** A `{{variable}}` placeholder, drawn from the drill's seed when it runs. */
  variable: boolean;
}

/** Split text into plain runs and `{{name}}` placeholders. */
export function splitVariables(text: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  const re = /\{\{\s*[A-Za-z_][A-Za-z0-9_]*\s*\}\}/g;
  let last = 0;
  for (const m of text.matchAll(re)) {
    const at = m.index ?? 0;
    if (at > last) pieces.push({ text: text.slice(last, at), variable: false });
    pieces.push({ text: m[0], variable: true });
    last = at + m[0].length;
  }
  if (last < text.length) pieces.push({ text: text.slice(last), variable: false });
  return pieces;
}

export type DiffLine = { text: string; kind: "add" | "del" | "hunk" | "context" };

/** Classify the lines of a unified diff, for colouring (the +/- stay in the text). */
export function diffLines(text: string): DiffLine[] {
  return text.split("\n").map((line) => {
    if (line.startsWith("+++") || line.startsWith("---")) return { text: line, kind: "context" };
    if (line.startsWith("@@")) return { text: line, kind: "hunk" };
    if (line.startsWith("+")) return { text: line, kind: "add" };
    if (line.startsWith("-")) return { text: line, kind: "del" };
    return { text: line, kind: "context" };
  });
}
