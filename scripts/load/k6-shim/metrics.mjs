// `k6/metrics` for the local runner: the four custom metric types.
import { declare, emit } from './runtime.mjs';

class Metric {
  constructor(type, name, isTime = false) {
    this.name = name;
    this.type = type;
    this.contains = isTime ? 'time' : 'default';
    declare(name, type, this.contains);
  }

  add(value, tags = {}) {
    emit(
      this.name,
      this.type,
      typeof value === 'boolean' ? Number(value) : value,
      tags,
      this.contains,
    );
  }
}

export class Counter extends Metric {
  constructor(name, isTime) {
    super('counter', name, isTime);
  }
}
export class Gauge extends Metric {
  constructor(name, isTime) {
    super('gauge', name, isTime);
  }
}
export class Rate extends Metric {
  constructor(name) {
    super('rate', name);
  }
}
export class Trend extends Metric {
  constructor(name, isTime) {
    super('trend', name, isTime);
  }
}
