import CodeMirror from "@uiw/react-codemirror";
import { python } from "@codemirror/lang-python";

const extensions = [python()];

interface Props {
  value: string;
  onChange: (value: string) => void;
  disabled?: boolean;
  testid?: string;
}

export default function CodeEditor({ value, onChange, disabled, testid }: Props) {
  return (
    <div data-testid={testid} className="ez-code">
      <CodeMirror value={value} height="220px" extensions={extensions} editable={!disabled} onChange={onChange} basicSetup={{ foldGutter: false }} />
    </div>
  );
}
