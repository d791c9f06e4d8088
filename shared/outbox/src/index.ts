export {
  insertOutboxEvent,
  lockUnpublished,
  markPublished,
  type OutboxDb,
  type OutboxRow,
  type OutboxValues,
  outboxInsert,
  outboxValues,
  prunePublished,
  unpublishedCount,
} from "./outbox.store.js";
export {
  addOutboxTraceparent,
  createOutboxTable,
  dropOutboxTraceparent,
  type OutboxDatabase,
  type OutboxTable,
} from "./outbox.table.js";
export { type OutboxBacklogOptions, outboxBacklogGauge } from "./outbox-metrics.js";
export { OutboxRelay, type OutboxRelayOptions } from "./outbox-relay.js";
