/**
 * The naive clients' request: `POST {baseUrl}/graphql` with `fetch`, the Basic `api:<key>`
 * credentials and `{ query, variables }` as JSON, nothing more (no retries, no timeout). Each
 * naive client reads the answer its own way.
 */
export const naivePost = (baseUrl: string, apiKey: string) => {
  const headers = { "content-type": "application/json", authorization: `Basic ${btoa(`api:${apiKey}`)}` }
  return (query: string, variables: Record<string, unknown>): Promise<Response> =>
    fetch(`${baseUrl}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) })
}
