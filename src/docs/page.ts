/**
 * The `/docs` page: no inline script and nothing from another origin. The reference's script
 * comes from this Worker (./reference-asset.ts) and reads its settings from the
 * `#api-reference` element's data attributes (Scalar's HTML API), so the page needs no script
 * nonce. The styles the reference injects at run time (its stylesheet, its theme, its toasts,
 * some style attributes) carry no nonce, which is why the CSP allows inline styles.
 */
import { html } from 'hono/html';

/**
 * Scalar's settings: system fonts (its default loads them from its own font host), no
 * telemetry, no AI agent or MCP panels (they call Scalar's services), no developer toolbar,
 * and every tag opened (some forty operations: all of them listed in the sidebar at once).
 */
export const REFERENCE_CONFIG = {
  withDefaultFonts: false,
  telemetry: false,
  showDeveloperTools: 'never',
  defaultOpenAllTags: true,
  agent: { disabled: true },
  mcp: { disabled: true },
} as const;

export interface ReferencePage {
  title: string;
  documentUrl: string;
  scriptUrl: string;
}

/** The HTML; every interpolation is escaped by `hono/html`. */
export function referencePage(p: ReferencePage) {
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${p.title}</title>
      </head>
      <body>
        <script
          id="api-reference"
          data-url="${p.documentUrl}"
          data-configuration="${JSON.stringify(REFERENCE_CONFIG)}"
        ></script>
        <script src="${p.scriptUrl}"></script>
      </body>
    </html>`;
}
