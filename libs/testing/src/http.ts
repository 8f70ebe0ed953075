export type HttpReply<T = unknown> = { readonly status: number; readonly body: T };

/** A JSON request as a workload sends it, with `key` as a bearer token (none when undefined); an empty answer is `undefined`. */
export async function callJson<T = unknown>(key: string | undefined, method: string, url: string, body?: unknown): Promise<HttpReply<T>> {
  const res = await fetch(url, {
    method,
    headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}
