/**
 * /openapi.json (generated from the zod schemas) and /docs: a self-contained HTML page
 * rendered on the server from the same document — no CDN, no script.
 */
import type { App } from "../routes/context.ts";

const INFO = {
  openapi: "3.1.0",
  info: {
    title: "edgerec API",
    version: "1",
    description: "Recommendations for online stores, served from a precomputed artifact at the edge. Errors are RFC 9457 problem+json.",
  },
};

type Doc = ReturnType<App["getOpenAPI31Document"]>;

export function registerApiDocs(app: App): void {
  let doc: Doc | undefined;
  let html: string | undefined;
  const document = () => {
    doc ??= app.getOpenAPI31Document(INFO);
    doc.components = { ...doc.components, securitySchemes: { bearer: { type: "http", scheme: "bearer" } } };
    return doc;
  };
  app.get("/openapi.json", (c) => c.json(document(), 200, { "cache-control": "public, max-age=300" }));
  app.get("/docs", (c) => {
    html ??= renderDocs(document());
    return c.html(html, 200, {
      "cache-control": "public, max-age=300",
      "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    });
  });
}

function esc(text: unknown): string {
  return String(text ?? "").replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function schemaText(schema: unknown): string {
  return JSON.stringify(schema, null, 2);
}

export function renderDocs(doc: Doc): string {
  const parts: string[] = [];
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Record<string, unknown>>>;
  const toc: string[] = [];
  let n = 0;
  for (const [path, ops] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const anchor = `op${n++}`;
      toc.push(`<li><a href="#${anchor}"><code class="m ${esc(method)}">${esc(method.toUpperCase())}</code> ${esc(path)}</a></li>`);
      const params = (op.parameters ?? []) as { name: string; in: string; required?: boolean; description?: string; schema?: unknown }[];
      const body = (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)?.content;
      const responses = (op.responses ?? {}) as Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
      parts.push(`<section id="${anchor}"><h2><code class="m ${esc(method)}">${esc(method.toUpperCase())}</code> ${esc(path)}</h2>`);
      if (op.summary) parts.push(`<p><strong>${esc(op.summary)}</strong></p>`);
      if (op.description) parts.push(`<p>${esc(op.description)}</p>`);
      if (params.length) {
        parts.push("<table><tr><th>parameter</th><th>in</th><th>required</th><th>schema</th><th>description</th></tr>");
        for (const p of params) {
          parts.push(
            `<tr><td><code>${esc(p.name)}</code></td><td>${esc(p.in)}</td><td>${p.required ? "yes" : ""}</td><td><code>${esc(JSON.stringify(p.schema))}</code></td><td>${esc(p.description)}</td></tr>`,
          );
        }
        parts.push("</table>");
      }
      if (body) {
        for (const [type, media] of Object.entries(body)) {
          parts.push(`<details open><summary>Request body <code>${esc(type)}</code></summary><pre>${esc(schemaText(media.schema))}</pre></details>`);
        }
      }
      parts.push("<ul>");
      for (const [status, r] of Object.entries(responses)) {
        const types = Object.keys(r.content ?? {}).map((t) => `<code>${esc(t)}</code>`).join(", ");
        parts.push(`<li><strong>${esc(status)}</strong> ${esc(r.description)} ${types}</li>`);
      }
      parts.push("</ul></section>");
    }
  }
  const schemas = ((doc.components as { schemas?: Record<string, unknown> } | undefined)?.schemas ?? {}) as Record<string, unknown>;
  parts.push("<h2 id=schemas>Schemas</h2>");
  for (const [name, schema] of Object.entries(schemas)) {
    parts.push(`<details id="schema-${esc(name)}"><summary><code>${esc(name)}</code></summary><pre>${esc(schemaText(schema))}</pre></details>`);
  }
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(doc.info.title)}</title><style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
code,pre{font:13px ui-monospace,monospace}pre{background:#f4f5f8;padding:.75rem;overflow:auto;border-radius:6px}
section{border-top:1px solid #dde;padding-top:.5rem;margin-top:1.5rem}table{border-collapse:collapse;width:100%}
td,th{border:1px solid #dde;padding:.25rem .5rem;text-align:left;vertical-align:top}
.m{padding:0 .4rem;border-radius:4px;color:#fff;background:#4a5}.m.post{background:#36c}
</style></head><body><h1>${esc(doc.info.title)}</h1><p>${esc(doc.info.description)}</p>
<p>Machine-readable: <a href="/openapi.json">/openapi.json</a> (OpenAPI ${esc(doc.openapi)}).</p><ul>${toc.join("")}</ul>
${parts.join("\n")}</body></html>`;
}
