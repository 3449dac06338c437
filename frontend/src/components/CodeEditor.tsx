import CodeMirror from "@uiw/react-codemirror";
import { python } from "@codemirror/lang-python";
import { javascriptLanguage } from "../lib/javascriptHighlight";

export type CodeLanguage = "python" | "javascript";

// One extension list per language, made once: CodeMirror reconfigures when the array changes identity.
const EXTENSIONS = { python: [python()], javascript: [javascriptLanguage], plain: [] };

interface Props {
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
  testid?: string;
  language?: CodeLanguage;
}

export default function CodeEditor({ value, onChange, disabled, testid, language }: Props) {
  return (
    <div data-testid={testid} className="ez-code" data-language={language || "plain"}>
      <CodeMirror value={value} height="220px" extensions={EXTENSIONS[language || "plain"]} editable={!disabled} onChange={onChange} basicSetup={{ foldGutter: false }} />
    </div>
  );
}
