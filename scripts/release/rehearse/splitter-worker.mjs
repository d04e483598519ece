// The rehearsal's stand-in for the platform's version routing (runs in workerd, in front of
// the version Workers, which it reaches through service bindings V_<id>). Like gradual
// deployments: `Cloudflare-Workers-Version-Overrides` (worker name = "version id") picks a
// version of the current deployment, even one at 0 %; else `Cloudflare-Workers-Version-Key`
// hashes to a stable bucket (the same key always lands on the same version for a given
// split); else each request draws at random. The deployment is set by the rehearsal's
// wrangler through a control path guarded by a per-run token.

/** @type {{ id: string, percentage: number }[] | null} */
let deployment = null;

/** FNV-1a: a stable bucket 0-99 for a version key. */
function bucketOf(key) {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % 100;
}

/** The version an override names for this Worker, if it is in the deployment (RFC 8941 dictionary, string values). */
function overrideOf(header, workerName) {
  if (!header) return null;
  for (const member of header.split(',')) {
    const m = /^\s*([a-z*][a-z0-9_\-.*]*)\s*=\s*"([^"\\]*)"\s*(;.*)?$/.exec(member);
    if (m && m[1] === workerName && deployment.some((v) => v.id === m[2])) return m[2];
  }
  return null;
}

function pick(request, workerName) {
  const override = overrideOf(
    request.headers.get('Cloudflare-Workers-Version-Overrides'),
    workerName,
  );
  if (override) return override;
  const key = request.headers.get('Cloudflare-Workers-Version-Key');
  const bucket = key ? bucketOf(key) : Math.random() * 100;
  let upTo = 0;
  for (const v of deployment) {
    upTo += v.percentage;
    if (bucket < upTo) return v.id;
  }
  return deployment.findLast((v) => v.percentage > 0).id;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === '/__rehearsal/deployment') {
      if (request.headers.get('X-Rehearsal-Control') !== env.CONTROL_TOKEN)
        return new Response('forbidden', { status: 403 });
      if (request.method === 'PUT') deployment = await request.json();
      return Response.json(deployment);
    }
    if (!deployment) return new Response('no deployment yet', { status: 503 });
    const id = pick(request, env.WORKER_NAME);
    const target = env[`V_${id.replaceAll('-', '_')}`];
    if (!target) return new Response(`version ${id} is not served here`, { status: 502 });
    return target.fetch(request);
  },
};
