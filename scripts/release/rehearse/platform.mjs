// The rehearsal's "Cloudflare API": what the rehearsal wrangler (wrangler-cli.mjs) talks to.
// It knows the versions (the base is deployed, canaries wait to be "uploaded"), hands out the
// next canary on upload, validates deployments as the platform does (at most two versions,
// percentages summing to 100, only known versions) and applies them to the splitter.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

/**
 * @param {{ workerName: string, setDeployment: (v: { id: string, percentage: number }[]) => Promise<void> }} o
 */
export async function startPlatform(o) {
  const versions = new Map();
  const waiting = [];
  let current = [];
  const calls = [];
  const deploy = async (list) => {
    if (!Array.isArray(list) || list.length < 1 || list.length > 2)
      throw new Error('a deployment has one or two versions');
    for (const v of list)
      if (!versions.has(v.id)) throw new Error(`version ${v.id} was never uploaded`);
    if (list.reduce((s, v) => s + v.percentage, 0) !== 100)
      throw new Error('percentages must sum to 100');
    await o.setDeployment(list);
    current = list;
    return randomUUID();
  };
  const server = createServer(async (req, res) => {
    const reply = (status, body) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    let body = '';
    for await (const chunk of req) body += chunk;
    const url = new URL(req.url ?? '/', 'http://platform');
    calls.push(`${req.method} ${url.pathname}${body ? ` ${body}` : ''}`);
    try {
      if (req.method === 'GET' && url.pathname === '/status')
        return reply(200, {
          versions: current.map((v) => ({ version_id: v.id, percentage: v.percentage })),
        });
      const view = /^\/versions\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && view) {
        const v = versions.get(view[1]);
        return v
          ? reply(200, {
              id: view[1],
              annotations: { 'workers/tag': v.tag, 'workers/message': v.message },
            })
          : reply(404, { error: `no version ${view[1]}` });
      }
      if (req.method === 'POST' && url.pathname === '/upload') {
        const { tag, message } = JSON.parse(body);
        const id = waiting.shift();
        if (!id) return reply(409, { error: 'the rehearsal has no build waiting to be uploaded' });
        versions.set(id, { tag, message });
        return reply(200, { version_id: id, worker_name: o.workerName });
      }
      if (req.method === 'PUT' && url.pathname === '/deploy')
        return reply(200, {
          deployment_id: await deploy(JSON.parse(body)),
          worker_name: o.workerName,
        });
      return reply(404, { error: 'not found' });
    } catch (err) {
      return reply(400, { error: String(err.message ?? err) });
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    calls,
    /** A version already deployed before the rehearsal (the base build). */
    async deployed(id, tag) {
      versions.set(id, { tag, message: 'base' });
      await deploy([{ id, percentage: 100 }]);
    },
    /** The build the next `wrangler versions upload` hands out. */
    queueUpload: (id) => waiting.push(id),
    current: () => current,
    close: () => new Promise((r) => server.close(() => r())),
  };
}
