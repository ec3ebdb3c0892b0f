/** Loopback node:http servers on free ports, closed by the test that started them. */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface LocalServer {
  origin: string;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;

export async function startServer(handler: Handler): Promise<LocalServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      Promise.resolve(handler(req, res, Buffer.concat(chunks).toString("utf8"))).catch((err) => {
        res.statusCode = 500;
        res.end(String(err));
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function send(res: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": type, ...headers });
  res.end(body);
}

/** A plain store page that embeds the widget with the two-line snippet from README.md and docs/widget.md. */
export function storePage(widgetSrc: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test store</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;max-width:900px;color:#1d2939}</style></head><body>
<h1>Demo Store — product page</h1>
<script>window.__events=[];for(const t of ["edgerec:impression","edgerec:click","edgerec:hidden"])document.addEventListener(t,e=>window.__events.push({type:e.type,detail:e.detail}));</script>
<script src="${widgetSrc}" type="module"></script>
${body}
<p id="after">Content after the widget</p>
</body></html>`;
}
