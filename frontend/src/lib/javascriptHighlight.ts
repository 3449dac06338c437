// A small JavaScript tokenizer for the code field of the JavaScript code step: keywords, strings (template literals
// across lines), comments, numbers, regular expressions and n8n's `$json`/`$input`/`$('Node')` names. CodeMirror's
// StreamLanguage turns the token names into highlight tags; no full parser is needed to colour code.
import { StreamLanguage, StringStream, type StreamParser } from "@codemirror/language";

const KEYWORDS = new Set(
  (
    "async await break case catch class const continue debugger default delete do else export extends finally for " +
    "function if import in instanceof let new of return static super switch throw try typeof var void while with yield"
  ).split(" "),
);
const ATOMS = new Set(["true", "false", "null", "undefined", "NaN", "Infinity", "this"]);
const BUILTINS = new Set(["Array", "Object", "String", "Number", "Boolean", "Math", "JSON", "Date", "DateTime", "Duration", "Promise", "console", "items"]);

export interface JsState {
  inComment: boolean; // inside /* */
  inTemplate: boolean; // inside a `template literal`
  regexAllowed: boolean; // a "/" here starts a regular expression, not a division
}

function readString(stream: StringStream, quote: string): void {
  let escaped = false;
  let char: string | void;
  while ((char = stream.next()) != null) {
    if (char === quote && !escaped) return;
    escaped = !escaped && char === "\\";
  }
}

function readTemplate(stream: StringStream, state: JsState): void {
  let escaped = false;
  let char: string | void;
  while ((char = stream.next()) != null) {
    if (char === "`" && !escaped) {
      state.inTemplate = false;
      return;
    }
    escaped = !escaped && char === "\\";
  }
  state.inTemplate = true;
}

function readRegex(stream: StringStream): boolean {
  let inClass = false;
  let escaped = false;
  let char: string | void;
  while ((char = stream.next()) != null) {
    if (!escaped && char === "[") inClass = true;
    else if (!escaped && char === "]") inClass = false;
    else if (!escaped && !inClass && char === "/") {
      stream.match(/^[dgimsuyv]*/);
      return true;
    }
    escaped = !escaped && char === "\\";
  }
  return false;
}

export const javascriptStream: StreamParser<JsState> = {
  name: "javascript",
  startState: () => ({ inComment: false, inTemplate: false, regexAllowed: true }),
  copyState: (state) => ({ ...state }),
  token(stream, state) {
    if (state.inComment) {
      if (stream.skipTo("*/")) {
        stream.pos += 2;
        state.inComment = false;
      } else stream.skipToEnd();
      return "comment";
    }
    if (state.inTemplate) {
      readTemplate(stream, state);
      return "string";
    }
    if (stream.eatSpace()) return null;
    if (stream.match("//")) {
      stream.skipToEnd();
      return "comment";
    }
    if (stream.match("/*")) {
      state.inComment = true;
      return this.token!(stream, state);
    }
    const char = stream.peek()!;
    if (char === '"' || char === "'") {
      stream.next();
      readString(stream, char);
      state.regexAllowed = false;
      return "string";
    }
    if (char === "`") {
      stream.next();
      readTemplate(stream, state);
      state.regexAllowed = false;
      return "string";
    }
    if (stream.match(/^(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?n?)/)) {
      state.regexAllowed = false;
      return "number";
    }
    if (char === "/" && state.regexAllowed) {
      const start = stream.pos;
      stream.next();
      if (readRegex(stream)) {
        state.regexAllowed = false;
        return "string.special";
      }
      stream.pos = start + 1;
      return "operator";
    }
    const word = stream.match(/^[A-Za-z_$][\w$]*/) as RegExpMatchArray | null;
    if (word) {
      const name = word[0];
      state.regexAllowed = KEYWORDS.has(name) && name !== "this";
      if (KEYWORDS.has(name)) return "keyword";
      if (ATOMS.has(name)) return "atom";
      if (name.startsWith("$")) return "variableName.special";
      if (BUILTINS.has(name)) return "variableName.standard";
      if (stream.match(/^\s*\(/, false)) return "variableName.function";
      return "variableName";
    }
    stream.next();
    state.regexAllowed = !")]}".includes(char);
    return /[+\-*/%=<>!&|^~?:]/.test(char) ? "operator" : "punctuation";
  },
  languageData: { commentTokens: { line: "//", block: { open: "/*", close: "*/" } }, closeBrackets: { brackets: ["(", "[", "{", "'", '"', "`"] } },
};

export const javascriptLanguage = StreamLanguage.define(javascriptStream);

/** The tokens of each line of `code` as [text, kind] pairs (kind null: plain), as the editor colours them. */
export function tokenizeJavaScript(code: string): Array<Array<[string, string | null]>> {
  const state = javascriptStream.startState!(2);
  return code.split("\n").map((line) => {
    const stream = new StringStream(line, 2, 2);
    const tokens: Array<[string, string | null]> = [];
    while (!stream.eol()) {
      stream.start = stream.pos;
      const kind = javascriptStream.token(stream, state);
      if (stream.pos === stream.start) stream.next(); // a tokenizer must always move on
      const text = line.slice(stream.start, stream.pos);
      if (kind || text.trim()) tokens.push([text, kind ?? null]);
    }
    return tokens;
  });
}
