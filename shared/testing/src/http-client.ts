/**
 * A JSON client for a service under test: in process through the app's `handle` (no socket), or
 * over HTTP to a base URL. A string body is sent as it is (malformed JSON tests), anything else as
 * JSON; the answer's body is parsed when there is one.
 */
export type TestResponse<T = Record<string, unknown>> = { status: number; headers: Headers; body: T };

export interface TestRequest {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
}

type Handle = (request: Request) => Response | Promise<Response>;

export function httpClient(target: string | { handle: Handle }, origin = "http://service.test") {
  const base = typeof target === "string" ? target : origin;
  const send: Handle = typeof target === "string" ? fetch : (request) => target.handle(request);
  return async function call<T = Record<string, unknown>>(
    method: string,
    path: string,
    { body, token, headers = {} }: TestRequest = {},
  ): Promise<TestResponse<T>> {
    const allHeaders: Record<string, string> = { ...headers };
    if (body !== undefined) allHeaders["content-type"] ??= "application/json";
    if (token) allHeaders.authorization = `Bearer ${token}`;
    const init: RequestInit = { method, headers: allHeaders };
    if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
    const response = await send(new Request(`${base}${path}`, init));
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
  };
}

export type HttpClient = ReturnType<typeof httpClient>;
