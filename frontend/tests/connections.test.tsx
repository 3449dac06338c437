import { useState } from "react";
import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fieldProblem } from "../src/components/ConnectionDialog";
import { Field } from "../src/components/fields";
import { setBoot } from "../src/lib/api";
import { translator } from "../src/lib/i18n";
import type { CredentialType } from "../src/types/api";
import type { ParamSpec } from "../src/types/catalog";
import { param, renderInEditor } from "./fixtures";

const { t } = translator("en");
const TELEGRAM: CredentialType = {
  key: "telegram_bot",
  label: "Telegram bot",
  help: "Ask @BotFather for /newbot and copy the token.",
  icon: "/static/connectors/icons/telegram.svg",
  can_test: true,
  fields: [{ name: "bot_token", label: "Bot token", secret: true, required: true, pattern: "^\\d+:[A-Za-z0-9_-]{20,}$", example: "123456789:AAE..." }],
};

function Form({ spec, initial, onValue }: { spec: ParamSpec; initial?: unknown; onValue?: (v: unknown) => void }) {
  const [value, setValue] = useState<unknown>(initial);
  return (
    <Field
      param={spec}
      value={value}
      onChange={(v) => {
        setValue(v);
        if (onValue) onValue(v);
      }}
      nodeId="n1"
      testid={`param-${spec.name}`}
      fields={[]}
    />
  );
}

afterEach(() => vi.unstubAllGlobals());

const CRM: CredentialType = {
  key: "oauth2",
  label: "OAuth2",
  oauth2: true,
  fields: [{ name: "client_id", label: "Client ID", required: true }],
};

describe("connections in the step form", () => {
  it("checks a value's shape with the kind's pattern and shows its example", () => {
    const field = TELEGRAM.fields[0];
    expect(fieldProblem(field, "", t)).toBe("This field is required.");
    expect(fieldProblem(field, "nope", t)).toContain("123456789:AAE...");
    expect(fieldProblem(field, "123456789:AAEhBP0av28xYz-Telegram_test", t)).toBeNull();
    expect(fieldProblem({ name: "token_url", label: "Token", url: true }, "ftp://x", t)).toBe("Enter an address starting with https://.");
  });

  it("shows the service icon, where to find the values, test and the Connections page link", () => {
    renderInEditor(<Form spec={param("credential", "credential", { credential_type: "telegram_bot" })} initial={5} />, {
      credentialTypes: [TELEGRAM],
      credentials: [{ id: 5, name: "Team bot", type: "telegram_bot", status: "connected" }],
    });
    expect(screen.getByTestId("param-credential-help").textContent).toContain("@BotFather");
    expect(screen.getByTestId("param-credential-connections").getAttribute("href")).toBe("/connections/");
    expect(screen.getByTestId("param-credential-test")).toBeTruthy();
    expect(document.querySelector("img.ez-service-icon")!.getAttribute("src")).toBe("/static/connectors/icons/telegram.svg");
  });

  it("creates a connection in the dialog and chooses it on the step", async () => {
    const create = vi.fn(async () => ({ id: 9, name: "New bot", type: "telegram_bot" }));
    const onValue = vi.fn();
    renderInEditor(<Form spec={param("credential", "credential", { credential_type: "telegram_bot" })} onValue={onValue} />, {
      credentialTypes: [TELEGRAM],
      createCredential: create,
    });
    fireEvent.click(screen.getByTestId("param-credential-new"));
    expect(screen.getByTestId("connection-dialog")).toBeTruthy();
    expect(screen.getByTestId("credential-help").textContent).toContain("@BotFather");
    fireEvent.change(screen.getByTestId("credential-bot_token"), { target: { value: "wrong" } });
    fireEvent.click(screen.getByTestId("credential-save"));
    expect(screen.getByTestId("credential-bot_token-error").textContent).toContain("It should look like");
    expect(create).not.toHaveBeenCalled();
    fireEvent.change(screen.getByTestId("credential-bot_token"), { target: { value: "123456789:AAEhBP0av28xYz-Telegram_test" } });
    fireEvent.click(screen.getByTestId("credential-save"));
    await waitFor(() => expect(onValue).toHaveBeenCalledWith(9));
    expect(create).toHaveBeenCalledWith({ name: "Telegram bot", type: "telegram_bot", data: { bot_token: "123456789:AAEhBP0av28xYz-Telegram_test" } });
    expect(screen.queryByTestId("connection-dialog")).toBeNull();
  });

  it("says when the chosen connection must be reconnected", () => {
    renderInEditor(<Form spec={param("credential", "credential", { credential_type: "kakao_login" })} initial={3} />, {
      credentialTypes: [{ key: "kakao_login", label: "Kakao", oauth2: true, fields: [] }],
      credentials: [{ id: 3, name: "Me", type: "kakao_login", status: "needs_reconnect", status_message: "Choose Reconnect to sign in again." }],
    });
    expect(screen.getByTestId("param-credential-status").textContent).toBe("Choose Reconnect to sign in again.");
    expect(screen.getByTestId("param-credential-reconnect").textContent).toBe("Reconnect");
  });

  it("saves the step's new OAuth2 connection before leaving for the consent screen (no 'leave this page?')", async () => {
    setBoot({ language: "en", csrf_token: "x", api_base: "/api/v1" });
    const events: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn((url: string, options: RequestInit) => {
        events.push(`${options.method} ${url} ${options.body}`);
        // No authorization_url: the test stops short of navigating (jsdom cannot).
        return Promise.resolve(new Response(JSON.stringify({ error: { message: "stop here" } }), { status: 400, headers: { "Content-Type": "application/json" } }));
      }),
    );
    let saveDone: () => void = () => {};
    const saveNow = vi.fn(
      () =>
        new Promise<boolean>((resolve) => {
          events.push("save started");
          saveDone = () => {
            events.push("save finished");
            resolve(true);
          };
        }),
    );
    const onValue = vi.fn((v: unknown) => events.push(`step gets ${v}`));
    renderInEditor(<Form spec={param("credential", "credential", { credential_type: "oauth2" })} onValue={onValue} />, {
      credentialTypes: [CRM],
      createCredential: async () => ({ id: 12, name: "Our CRM", type: "oauth2", status: "not_connected" }),
      saveNow,
    });
    fireEvent.click(screen.getByTestId("param-credential-new"));
    fireEvent.change(screen.getByTestId("credential-client_id"), { target: { value: "abc" } });
    fireEvent.click(screen.getByTestId("credential-save"));
    await waitFor(() => expect(saveNow).toHaveBeenCalled());
    expect(events).toEqual(["step gets 12", "save started"]); // the sign-in waits for the save
    saveDone();
    await waitFor(() => expect(events.length).toBe(4));
    expect(events[2]).toBe("save finished");
    expect(events[3]).toMatch(/^POST \/api\/v1\/credentials\/12\/oauth2\/authorize .*credential=12/);
  });

  it("saves the flow before Reconnect leaves for the consent screen", async () => {
    setBoot({ language: "en", csrf_token: "x", api_base: "/api/v1" });
    const events: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn((url: string, options: RequestInit) => {
        events.push(`${options.method} ${url}`);
        return Promise.resolve(new Response(JSON.stringify({ error: { message: "stop here" } }), { status: 400, headers: { "Content-Type": "application/json" } }));
      }),
    );
    const saveNow = vi.fn(async () => {
      events.push("saved");
      return true;
    });
    renderInEditor(<Form spec={param("credential", "credential", { credential_type: "oauth2" })} initial={3} />, {
      credentialTypes: [CRM],
      credentials: [{ id: 3, name: "Me", type: "oauth2", status: "needs_reconnect" }],
      saveNow,
    });
    fireEvent.click(screen.getByTestId("param-credential-reconnect"));
    expect((await screen.findByTestId("param-credential-test-result")).textContent).toBe("stop here");
    expect(events).toEqual(["saved", "POST /api/v1/credentials/3/oauth2/authorize"]);
  });
});
