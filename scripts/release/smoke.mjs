// The smoke test at 0 %: the new version is in the deployment but serves no traffic; these
// requests reach it through `Cloudflare-Workers-Version-Overrides` (a structured-header
// dictionary: worker name = "version id"). /health answers the version id it ran on, so a
// smoke that landed on the stable version (override not applied) is caught, not passed.

/** The override header's value for one Worker (RFC 8941 dictionary with one string member). */
export function overrideHeader(workerName, versionId) {
  if (!/^[a-z][a-z0-9_-]*$/.test(workerName))
    throw new Error(`worker name "${workerName}" is not a structured-header key`);
  if (!/^[A-Za-z0-9-]+$/.test(versionId))
    throw new Error(`version id "${versionId}" has characters a version id never has`);
  return `${workerName}="${versionId}"`;
}

/** What the smoke asks: the process, its dependencies, an authenticated read, the API document. */
export const SMOKE_CHECKS = [
  {
    path: '/health',
    auth: false,
    check: (body, versionId) =>
      body?.version === versionId
        ? null
        : `answered from version ${body?.version ?? '(none)'}, not ${versionId}`,
  },
  { path: '/ready', auth: false, check: () => null },
  {
    path: '/v1/accounts?limit=1',
    auth: true,
    check: (body) => (Array.isArray(body?.data) ? null : 'no data array'),
  },
  {
    path: '/openapi.json',
    auth: false,
    check: (body) => (typeof body?.openapi === 'string' ? null : 'not an OpenAPI document'),
  },
];

/**
 * Runs every check against `baseUrl` pinned to `versionId`; `{ ok, results }` where each result
 * has the path, status and the reason it failed (null when it passed).
 * @param {{ baseUrl: string, workerName: string, versionId: string, token: string, fetch?: typeof fetch, timeoutMs?: number }} o
 */
export async function smoke(o) {
  const doFetch = o.fetch ?? fetch;
  const results = [];
  for (const c of SMOKE_CHECKS) {
    const headers = {
      'Cloudflare-Workers-Version-Overrides': overrideHeader(o.workerName, o.versionId),
      Accept: 'application/json',
    };
    if (c.auth) headers.Authorization = `Bearer ${o.token}`;
    let status = 0;
    let reason = null;
    try {
      const res = await doFetch(new URL(c.path, o.baseUrl), {
        headers,
        signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
      });
      status = res.status;
      const text = await res.text();
      let body = null;
      try {
        body = JSON.parse(text);
      } catch {}
      reason = res.status === 200 ? c.check(body, o.versionId) : `status ${res.status}`;
    } catch (err) {
      reason = `request failed: ${err.message}`;
    }
    results.push({ path: c.path, status, reason });
  }
  return { ok: results.every((r) => r.reason === null), results };
}
