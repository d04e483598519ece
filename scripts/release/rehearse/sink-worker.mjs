// The rehearsal's Analytics Engine (runs in workerd): each version Worker's REQUEST_METRICS and
// LEDGER_METRICS bindings are service bindings to the `Dataset` entrypoint, whose
// writeDataPoint keeps the point (with its dataset and arrival time) until the Node side
// drains them through `GET /drain`. The points are exactly what src/telemetry/schema.ts lays out.
import { WorkerEntrypoint } from 'cloudflare:workers';

let points = [];

export class Dataset extends WorkerEntrypoint {
  writeDataPoint(point) {
    points.push({
      dataset: this.ctx.props.dataset,
      timestamp: Date.now(),
      indexes: point.indexes ?? [],
      blobs: point.blobs ?? [],
      doubles: point.doubles ?? [],
    });
  }
}

export default {
  fetch(request) {
    if (new URL(request.url).pathname !== '/drain')
      return new Response('not found', { status: 404 });
    const out = points;
    points = [];
    return Response.json(out);
  },
};
