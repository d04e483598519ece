/**
 * The event frames of one push or one replay page (docs/stream.md, "Messages"): one `event`
 * frame per event, or, for a socket opened with `?batch=true`, `events` frames of up to
 * `BATCH_MAX_EVENTS` events (and about `BATCH_MAX_CHARS`) each. Each event is serialized once
 * per visibility (src/ledger/stream/visibility.ts) and a frame list is built once per
 * (visibility, format, range of events): a push to a thousand sockets is a thousand `send`s
 * of the same strings, not a thousand serializations.
 */
import type { RecordedEvent } from '../contract';
import { visibleEvent } from './visibility';

/** Most events in one `events` frame. */
export const BATCH_MAX_EVENTS = 100;
/** An `events` frame is closed once its events pass this many characters (one event may pass it alone). */
export const BATCH_MAX_CHARS = 256 * 1024;

export class EventFrames {
  /** `{"position":N,"event":{…}}` per event, per visibility. */
  private readonly items = new Map<boolean, string[]>();
  private readonly built = new Map<string, string[]>();

  /** `events`: consecutive positions `after + 1 …`, in order. */
  constructor(
    private readonly after: number,
    private readonly events: RecordedEvent[],
  ) {}

  /** The last position these frames carry. */
  get head(): number {
    return this.after + this.events.length;
  }

  /** The frames carrying the events after `from` up to `to` (`after ≤ from ≤ to ≤ head`). */
  between(from: number, to: number, full: boolean, batch: boolean): string[] {
    const key = `${full ? 'f' : 'p'}${batch ? 'b' : 'e'}${from}-${to}`;
    let frames = this.built.get(key);
    if (!frames) {
      const items = this.itemsFor(full).slice(from - this.after, to - this.after);
      frames = batch ? batchFrames(items) : items.map((i) => `{"type":"event",${i.slice(1)}`);
      this.built.set(key, frames);
    }
    return frames;
  }

  private itemsFor(full: boolean): string[] {
    let items = this.items.get(full);
    if (!items) {
      items = this.events.map((e) =>
        JSON.stringify({ position: e.position, event: visibleEvent(e, full) }),
      );
      this.items.set(full, items);
    }
    return items;
  }
}

/** `{"type":"events","events":[…]}` frames of consecutive items, in order. */
function batchFrames(items: string[]): string[] {
  const frames: string[] = [];
  let open: string[] = [];
  let chars = 0;
  const close = () => {
    if (open.length > 0) frames.push(`{"type":"events","events":[${open.join(',')}]}`);
    open = [];
    chars = 0;
  };
  for (const item of items) {
    if (
      open.length >= BATCH_MAX_EVENTS ||
      (open.length > 0 && chars + item.length > BATCH_MAX_CHARS)
    )
      close();
    open.push(item);
    chars += item.length + 1;
  }
  close();
  return frames;
}
