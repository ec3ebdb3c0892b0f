/**
 * RFC 9457 problem details. Every error the API returns goes through here, so clients
 * get one machine-readable shape and never a stack trace.
 */
export interface ProblemField {
  /** Where the problem is: "query.k", "body.items[2]", "path.id". */
  location: string;
  message: string;
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: ProblemField[];
  [extension: string]: unknown;
}

const TYPE_BASE = "https://edgerec.dev/problems/";

/** Thrown by handlers; turned into a problem response by the app's onError (error-response.ts). */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    readonly errors?: ProblemField[],
    readonly headers?: Record<string, string>,
    readonly extensions?: Record<string, unknown>,
  ) {
    super(detail);
    this.name = "ProblemError";
  }
}

export function problemResponse(
  status: number,
  slug: string,
  title: string,
  detail: string,
  instance: string | undefined,
  errors?: ProblemField[],
  headers?: Record<string, string>,
  extensions?: Record<string, unknown>,
): Response {
  const body: Problem = { type: TYPE_BASE + slug, title, status, detail };
  if (instance) body.instance = instance;
  if (errors && errors.length) body.errors = errors;
  if (extensions) Object.assign(body, extensions);
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...headers },
  });
}

export function fromProblemError(err: ProblemError, instance: string | undefined): Response {
  return problemResponse(err.status, err.slug, err.title, err.detail, instance, err.errors, err.headers, err.extensions);
}

export const notFoundId = (kind: string, id: string, location: string) =>
  new ProblemError(404, `unknown-${kind}`, `Unknown ${kind}`, `No ${kind} with id ${JSON.stringify(truncate(id))} in the published catalogue`, [
    { location, message: `unknown ${kind} id ${JSON.stringify(truncate(id))}` },
  ]);

export const invalid = (errors: ProblemField[], detail = "The request has invalid parameters; see `errors`.") =>
  new ProblemError(400, "invalid-request", "Invalid request", detail, errors);

export function truncate(text: string, max = 120): string {
  return text.length > max ? text.slice(0, max) + "…" : text;
}
