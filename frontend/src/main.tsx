import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { ReactFlowProvider } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import "./styles.css";
import App from "./App";
import { setBoot } from "./lib/api";
import { translator } from "./lib/i18n";
import type { Boot } from "./types/api";

const bootElement = document.getElementById("editor-boot");
const root = document.getElementById("editor-root");
if (bootElement && root) {
  const boot = JSON.parse(bootElement.textContent || "{}") as Boot;
  setBoot(boot);
  const { t, labelOf } = translator(boot.language);
  createRoot(root).render(
    <StrictMode>
      <ReactFlowProvider>
        <App boot={boot} t={t} labelOf={labelOf} />
      </ReactFlowProvider>
    </StrictMode>,
  );
}

// The Connections page (apps/connectors) loads this bundle for its "New connection" dialog.
const connectionsBoot = document.getElementById("connections-boot");
const connectionsRoot = document.getElementById("connections-root");
if (connectionsBoot && connectionsRoot) {
  import("./Connections").then(({ mountConnections }) => mountConnections(connectionsRoot, JSON.parse(connectionsBoot.textContent || "{}")));
}
