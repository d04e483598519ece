/**
 * HTTP as a client sees it, for the Node-side suites that talk to a running Worker: node:http
 * neither sends an Accept-Encoding of its own nor decodes, so `Content-Encoding` and the bytes
 * are exactly what the server sent. One connection per request: a kept-alive socket the
 * server closes while a request is written would fail it for the client pool's reasons.
 */
import { request } from 'node:http';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';

export interface Wire {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body as sent. */
  bytes: Buffer;
  /** The body decoded (gzip, br) as text. */
  text: string;
}

export function rawRequest(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: string,
): Promise<Wire> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        method,
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const encoding = res.headers['content-encoding'];
          const text = (
            encoding === 'gzip'
              ? gunzipSync(bytes)
              : encoding === 'br'
                ? brotliDecompressSync(bytes)
                : bytes
          ).toString();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes, text });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
