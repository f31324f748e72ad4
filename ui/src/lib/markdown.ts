// A deliberately tiny Markdown reader for inject bodies. It returns plain data (blocks of styled text
// runs) that the template renders as text nodes: no HTML is ever produced, and links show their
// address as text instead of becoming links (file text never goes into an href).

import { splitVariables, type TextPiece } from "./text";

export type InlineKind = "text" | "strong" | "em" | "code";

export interface Inline {
  kind: InlineKind;
  /** The run's text, split around `{{variables}}`. */
  pieces: TextPiece[];
}

export type Block =
  | { kind: "p"; inline: Inline[] }
  | { kind: "heading"; inline: Inline[] }
  | { kind: "quote"; inline: Inline[] }
  | { kind: "ul" | "ol"; items: Inline[][] }
  | { kind: "pre"; text: string };

const INLINE =
  /(`+)([\s\S]+?)\1|\*\*(?=\S)([\s\S]+?)\*\*|__(?=\S)([\s\S]+?)__|(?<![\w*])\*(?=[^\s*])([^*\n]+?)\*(?![\w*])|\[([^\]\n]+)\]\(([^)\s]+)\)/g;

const run = (kind: InlineKind, text: string): Inline => ({ kind, pieces: splitVariables(text) });

/** Inline emphasis, strong, code spans and links (as `label (address)`). */
export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  const push = (kind: InlineKind, t: string): void => {
    if (t.length === 0) return;
    const prev = out[out.length - 1];
    if (kind === "text" && prev?.kind === "text") {
      out[out.length - 1] = run("text", prev.pieces.map((p) => p.text).join("") + t);
    } else out.push(run(kind, t));
  };
  for (const m of text.matchAll(INLINE)) {
    const at = m.index ?? 0;
    push("text", text.slice(last, at));
    if (m[2] !== undefined) push("code", m[2]);
    else if (m[3] !== undefined) push("strong", m[3]);
    else if (m[4] !== undefined) push("strong", m[4]);
    else if (m[5] !== undefined) push("em", m[5]);
    else if (m[6] !== undefined) push("text", m[6] === m[7] ? m[6] : `${m[6]} (${m[7] ?? ""})`);
    last = at + m[0].length;
  }
  push("text", text.slice(last));
  return out;
}

const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}\d{1,3}[.)]\s+(.*)$/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const QUOTE = /^\s{0,3}>\s?(.*)$/;
const FENCE = /^\s{0,3}(```|~~~)/;

/** Split a body into paragraphs, headings, quotes, lists and fenced code. Line breaks inside a paragraph are kept. */
export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  let para: string[] = [];
  let quote: string[] = [];
  let list: { kind: "ul" | "ol"; items: string[] } | null = null;

  const flush = (): void => {
    if (para.length > 0) blocks.push({ kind: "p", inline: parseInline(para.join("\n")) });
    if (quote.length > 0) blocks.push({ kind: "quote", inline: parseInline(quote.join("\n")) });
    if (list) blocks.push({ kind: list.kind, items: list.items.map(parseInline) });
    para = [];
    quote = [];
    list = null;
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const fence = FENCE.exec(line);
    if (fence) {
      flush();
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? "").trimStart().startsWith(fence[1] ?? "```")) {
        body.push(lines[i] ?? "");
        i++;
      }
      blocks.push({ kind: "pre", text: body.join("\n") });
      continue;
    }
    if (line.trim() === "") {
      flush();
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: "heading", inline: parseInline(heading[1] ?? "") });
      continue;
    }
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    const item = bullet ?? numbered;
    if (item) {
      const kind = bullet ? "ul" : "ol";
      if (!list || list.kind !== kind || para.length > 0 || quote.length > 0) {
        flush();
        list = { kind, items: [] };
      }
      list.items.push(item[1] ?? "");
      continue;
    }
    const q = QUOTE.exec(line);
    if (q) {
      if (para.length > 0 || list) flush();
      quote.push(q[1] ?? "");
      continue;
    }
    if (list && /^\s+/.test(line)) {
      // An indented line continues the last list item.
      const items: string[] = list.items;
      items[items.length - 1] = `${items[items.length - 1] ?? ""}\n${line.trim()}`;
      continue;
    }
    if (list || quote.length > 0) flush();
    para.push(line);
  }
  flush();
  return blocks;
}
